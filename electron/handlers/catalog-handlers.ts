import type { catalogCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function catalogHandlers(station: Station): Pick<HandlerTable, keyof typeof catalogCommands> {
  void station;
  return {};
}
