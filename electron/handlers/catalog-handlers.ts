import type { catalogCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function catalogHandlers(station: Station): Pick<HandlerTable, keyof typeof catalogCommands> {
  const { catalog } = station;
  return {
    'catalog.sync': async ({ apiBase, ids, fromBatches }) => ({
      runId: await catalog.startSync(apiBase, fromBatches ? catalog.accessionsFromBatches() : (ids ?? [])),
    }),
    'catalog.runs': () => catalog.records.runs(),
    'catalog.deadLetters': ({ runId, offset, limit }) => catalog.records.deadLetters(runId, offset, limit),
    'catalog.retryDeadLetters': async ({ runId }) => ({ runId: await catalog.retryDeadLetters(runId) }),
    'catalog.get': ({ accession }) => catalog.get(accession),
  };
}
