// A lab station started without the lab's storage root (no --lab-storage, no QUIRE_LAB_STORAGE)
// cannot reach the files of page jobs: it must not take them from the shared queues (each one
// would fail there and spend one of the page's attempts), and it says why.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabStatus } from '../../../electron/queue/module';
import { createStation } from '../../../electron/station';
import { redisServerBinary, startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { makeTestStation, TEST_PASSWORD_HASH_PARAMS } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';

const binary = redisServerBinary();
if (binary.path === null) console.warn(`[lab no storage] skipped: ${binary.reason}`);
const skip = binary.path === null;

describe('a lab station without the lab storage root', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    if (!skip) redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it.skipIf(skip)('leaves the compute and io queues to the stations that mount it, and says so', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const { station, dispose } = await makeTestStation({
      runWorkers: true,
      logger,
      lab: { redis: redis.url, station: 'desk-x' },
    });
    try {
      const status = await readLabStatus(redis.url);
      const seen = status.stations.find((s) => s.station === 'desk-x');
      // Of the shared queues, only the one without files: no page jobs.
      expect(seen?.queues).toEqual(['default']);
      expect(station.queue.connection()).toMatchObject({ engine: 'bullmq', connected: true });
      const said = lines.find((l) => /no lab storage root/.test(String(l.msg)));
      expect(String(said?.msg)).toMatch(/--lab-storage or QUIRE_LAB_STORAGE.*compute or io jobs/);
    } finally {
      await dispose();
    }
  });

  it.skipIf(skip)('refuses lab work when it was asked to run only compute and io jobs', async () => {
    const dir = makeTempDir('quire-lab-no-storage-');
    try {
      await expect(
        createStation({
          dataDir: dir.path,
          logger: pino({ level: 'silent' }),
          passwordHashParams: TEST_PASSWORD_HASH_PARAMS,
          runWorkers: true,
          lab: { redis: redis.url, station: 'spare-x', queues: ['compute', 'io'] },
        }),
      ).rejects.toThrow(/no lab storage root \(--lab-storage or QUIRE_LAB_STORAGE\).*only compute and io/);
    } finally {
      dir.cleanup();
    }
  });
});
