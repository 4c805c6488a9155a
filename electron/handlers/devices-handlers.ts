import type { devicesCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function devicesHandlers(station: Station): Pick<HandlerTable, keyof typeof devicesCommands> {
  void station;
  return {};
}
