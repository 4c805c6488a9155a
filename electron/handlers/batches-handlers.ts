import type { batchesCommands } from '../../shared/contract/index';
import { StationError } from '../core/station-error';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

// Placeholder until the batch pipeline is wired into the station (issue 6).
const notYet = (): never => {
  throw new StationError('UNAVAILABLE', 'the batch pipeline is not available in this build yet');
};

export function batchesHandlers(station: Station): Pick<HandlerTable, keyof typeof batchesCommands> {
  void station;
  return {
    'batches.create': notYet,
    'batches.validate': notYet,
    'batches.list': notYet,
    'batches.get': notYet,
    'batches.thumbnail': notYet,
    'batches.cancel': notYet,
    'quarantine.list': notYet,
    'quarantine.decide': notYet,
  };
}
