import type { AnyEvent } from '../../../shared/contract/index';
import { batchUpdated } from '../state/batches';
import { deviceRemoved, deviceStatusReceived, deviceWorkReceived } from '../state/devices';
import { labStateReceived } from '../state/lab';
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
    case 'device.status':
      deviceStatusReceived(event.payload);
      break;
    case 'device.work':
      deviceWorkReceived(event.payload);
      break;
    case 'lab.changed':
      labStateReceived(event.payload);
      break;
    case 'device.removed':
      deviceRemoved(event.payload.name);
      break;
    default:
      break;
  }
}

export function startEventRouting(): () => void {
  return quire.subscribe(routeEvent);
}
