import type { batchesCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function batchesHandlers(station: Station): Pick<HandlerTable, keyof typeof batchesCommands> {
  void station;
  return {};
}
