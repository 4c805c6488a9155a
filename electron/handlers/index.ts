import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';
import { auditHandlers } from './audit-handlers';
import { authHandlers } from './auth-handlers';
import { batchesHandlers } from './batches-handlers';
import { catalogHandlers } from './catalog-handlers';
import { devicesHandlers } from './devices-handlers';
import { discoveryHandlers } from './discovery-handlers';
import { queueHandlers } from './queue-handlers';
import { reportsHandlers } from './reports-handlers';
import { searchHandlers } from './search-handlers';
import { settingsHandlers } from './settings-handlers';
import { stationHandlers } from './station-handlers';
import { trainingHandlers } from './training-handlers';
import { transferHandlers } from './transfer-handlers';

/** The one handler table that the Electron IPC adapter and the WebSocket bridge both serve. */
export function createHandlerTable(station: Station): HandlerTable {
  return {
    ...stationHandlers(station),
    ...authHandlers(station),
    ...devicesHandlers(station),
    ...queueHandlers(station),
    ...batchesHandlers(station),
    ...auditHandlers(station),
    ...catalogHandlers(station),
    ...settingsHandlers(station),
    ...discoveryHandlers(),
    ...reportsHandlers(station),
    ...trainingHandlers(station),
    ...transferHandlers(station),
    ...searchHandlers(station),
  };
}
