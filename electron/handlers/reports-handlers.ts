import type { reportsCommands } from '../../shared/contract/index';
import { StationError } from '../core/station-error';
import { bytesCapturedLastHour, diskOutlook, shiftSummary, throughput } from '../reports/shift-report';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function reportsHandlers(station: Station): Pick<HandlerTable, keyof typeof reportsCommands> {
  return {
    'reports.shiftSummary': (window) => shiftSummary(station.db, window),
    'reports.throughput': ({ hours }) => throughput(station.db, station.clock.now(), hours),
    'reports.diskOutlook': async () => {
      const { disk } = await station.health();
      if (!disk) throw new StationError('UNAVAILABLE', 'the system does not say how much space is free');
      return diskOutlook({
        freeBytes: disk.freeBytes,
        totalBytes: disk.totalBytes,
        mastersPerHour: bytesCapturedLastHour(station.db, station.clock.now()),
        warningHours: station.settings.get().diskWarningHours,
        lowSpace: disk.lowSpace,
        diskFull: disk.diskFull,
      });
    },
  };
}
