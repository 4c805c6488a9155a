import type { BatchSummary } from '../../shared/contract/index';
import { silentLogger } from '../../electron/core/logger';
import { createStation, type Station, type StationOptions } from '../../electron/station';
import { makeTempDir } from './temp-dir';

/**
 * Cheap password hashes for test stations, which create and sign in accounts in nearly every
 * test: the production cost (N=2^17, ~0.6 s and 128 MiB each) would add minutes to the suite.
 * Tests of the production cost pass `passwordHashParams: undefined` explicitly.
 */
export const TEST_PASSWORD_HASH_PARAMS = { N: 2 ** 10, r: 8, p: 1, keyLength: 32 };

/** A real station core on a fresh temporary data folder, closed and removed by `dispose`. */
export async function makeTestStation(
  options: Partial<StationOptions> = {},
): Promise<{ station: Station; dispose: () => Promise<void> }> {
  const dir = makeTempDir('quire-station-');
  const station = await createStation({
    dataDir: dir.path,
    logger: silentLogger(),
    passwordHashParams: TEST_PASSWORD_HASH_PARAMS,
    ...options,
  });
  return {
    station,
    dispose: async () => {
      await station.close();
      dir.cleanup();
    },
  };
}

const FINAL = new Set(['completed', 'quarantined', 'rejected', 'cancelled']);

/**
 * Resolves when the batch reaches `until`: a stage, a condition on its summary, or (omitted)
 * any final stage. Awaits its events; never polls.
 */
/** Resolves once a scanner (any, or the one named) reports JAMMED: a jam or a sheet held in doubt. */
export function untilJammed(station: Station, device?: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const unsubscribe = station.events.subscribe((e) => {
      if (e.name !== 'device.status' || e.payload.state !== 'JAMMED') return;
      if (device !== undefined && e.payload.name !== device) return;
      unsubscribe();
      resolve();
    });
  });
}

export function untilBatch(
  station: Station,
  batchId: string,
  until?: string | ((batch: BatchSummary) => boolean),
): Promise<BatchSummary> {
  const wanted =
    typeof until === 'function'
      ? until
      : (b: BatchSummary) => (until ? b.stage === until : FINAL.has(b.stage));
  return new Promise<BatchSummary>((resolve) => {
    const check = (b: BatchSummary | null | undefined) => {
      if (b && wanted(b)) {
        unsubscribe();
        resolve(b);
      }
    };
    const unsubscribe = station.events.subscribe((e) => {
      if (e.name === 'batch.updated' && e.payload.id === batchId) check(e.payload);
    });
    check(station.pipeline.store.summary(batchId));
  });
}
