import type { auditCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function auditHandlers(station: Station): Pick<HandlerTable, keyof typeof auditCommands> {
  return {
    'audit.list': (filter) => station.audit.list(filter),
    'audit.verify': () => station.audit.verify(),
    'audit.exportPremis': ({ object }) => ({ xml: station.audit.premisXml(object) }),
  };
}
