import { createHandlerTable } from '../handlers/index';
import type { Station } from '../station';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/logger';
import type { HandlerTable, SessionGuard } from './dispatch';

/** Everything a transport needs from a station: the one table, its events and its session rules. */
export interface StationEndpoint {
  table: HandlerTable;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  sessionGuard: SessionGuard;
}

export function stationEndpoint(station: Station): StationEndpoint {
  return {
    table: createHandlerTable(station),
    events: station.events,
    logger: station.logger,
    clock: station.clock,
    sessionGuard: station.auth,
  };
}
