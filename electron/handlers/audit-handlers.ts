import type { auditCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function auditHandlers(station: Station): Pick<HandlerTable, keyof typeof auditCommands> {
  void station;
  return {};
}
