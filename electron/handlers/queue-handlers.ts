import type { queueCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function queueHandlers(station: Station): Pick<HandlerTable, keyof typeof queueCommands> {
  void station;
  return {};
}
