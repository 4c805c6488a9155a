import type { authCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function authHandlers(station: Station): Pick<HandlerTable, keyof typeof authCommands> {
  void station;
  return {};
}
