import type { auditCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

/**
 * The renderer is untrusted: no command takes a file path from it. `audit.export` writes only
 * to a new file, named by the station, under the data folder's exports/.
 */
export function auditHandlers(station: Station): Pick<HandlerTable, keyof typeof auditCommands> {
  return {
    'audit.list': (filter) => station.audit.list(filter),
    'audit.verify': () => station.audit.verify(),
    'audit.export': ({ filter }) => station.audit.exportToDataFolder(filter),
    'audit.exportPremis': ({ object }) => ({ xml: station.audit.premisXml(object) }),
  };
}
