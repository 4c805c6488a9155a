import { silentLogger } from '../../electron/core/logger';
import { createStation, type Station, type StationOptions } from '../../electron/station';
import { makeTempDir } from './temp-dir';

/** A real station core on a fresh temporary data folder, closed and removed by `dispose`. */
export async function makeTestStation(
  options: Partial<StationOptions> = {},
): Promise<{ station: Station; dispose: () => Promise<void> }> {
  const dir = makeTempDir('quire-station-');
  const station = await createStation({ dataDir: dir.path, logger: silentLogger(), ...options });
  return {
    station,
    dispose: async () => {
      await station.close();
      dir.cleanup();
    },
  };
}
