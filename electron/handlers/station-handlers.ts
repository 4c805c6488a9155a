import type { stationCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function stationHandlers(station: Station): Pick<HandlerTable, keyof typeof stationCommands> {
  return {
    'station.info': () => station.info(),
    'station.health': () => station.health(),
    'station.lab': () => station.labState(),
  };
}
