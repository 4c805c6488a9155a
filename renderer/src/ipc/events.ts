import type { AnyEvent } from '../../../shared/contract/index';
import { batchUpdated } from '../state/batches';
import { quarantineChanged } from '../state/review';
import { quire } from './client';

/**
 * Routes main's (already coalesced) events into the store slices through actions named after
 * the events. The store mirrors main; it makes no decisions.
 */
export function routeEvent(event: AnyEvent): void {
  switch (event.name) {
    case 'batch.updated':
      batchUpdated(event.payload);
      break;
    case 'quarantine.changed':
      quarantineChanged();
      break;
    default:
      for (const handler of extraRoutes) handler(event);
  }
}

type Route = (event: AnyEvent) => void;
const extraRoutes: Route[] = [];

/** Lets a slice subscribe to events that the switch above does not name (devices, audit…). */
export function addRoute(route: Route): void {
  extraRoutes.push(route);
}

export function startEventRouting(): () => void {
  return quire.subscribe(routeEvent);
}
