import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../electron/core/clock';
import { silentLogger } from '../../../../electron/core/logger';
import { createBullmqTaskQueue } from '../../../../electron/queue/bullmq/engine';
import type { LabLink } from '../../../../electron/queue/bullmq/connection';
import type { JobRecord, TaskQueue } from '../../../../electron/queue/queue';
import { Payload } from '../../../helpers/queue-harness';
import {
  redisServerBinary,
  startRedisServer,
  type RedisServer,
  type RedisServerOptions,
} from '../../../helpers/redis-server';

const binary = redisServerBinary();
if (binary.path === null) console.warn(`[lab redis] skipped: ${binary.reason}`);
const skip = binary.path === null;

describe('the lab engine and its Redis', () => {
  const servers: RedisServer[] = [];
  const queues: TaskQueue[] = [];
  // Cleanup never waits on a Redis that was killed and restarted: each step is bounded.
  const bounded = (work: Promise<unknown>) =>
    Promise.race([
      work.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
    ]);
  afterEach(async () => {
    await Promise.allSettled(queues.splice(0).map((q) => bounded(q.close())));
    await Promise.allSettled(servers.splice(0).map((s) => bounded(s.stop())));
  }, 60_000);
  const server = async (options?: RedisServerOptions) => {
    const s = await startRedisServer(options);
    servers.push(s);
    return s;
  };
  const engine = async (
    url: string,
    extra: {
      onConnection?: (l: LabLink) => void;
      onChange?: (j: JobRecord) => void;
      completedRetention?: { ageSeconds: number; count: number };
    } = {},
  ) => {
    const q = await createBullmqTaskQueue({
      url,
      station: 'scan-1',
      clock: systemClock,
      logger: silentLogger(),
      onChange: extra.onChange ?? (() => {}),
      onConnection: extra.onConnection,
      completedRetention: extra.completedRetention,
    });
    queues.push(q);
    return q;
  };

  it.skipIf(skip)('refuses a Redis that may evict jobs, saying why', async () => {
    const s = await server({ maxmemoryPolicy: 'allkeys-lru' });
    await expect(engine(s.url)).rejects.toThrow(/maxmemory-policy allkeys-lru.*noeviction/);
  });

  it.skipIf(skip)('refuses a Redis that keeps nothing on disk', async () => {
    const s = await server({ appendonly: false });
    await expect(engine(s.url)).rejects.toThrow(/keeps nothing on disk.*appendonly yes/);
  });

  it.skipIf(skip)('shows the lab disconnected while Redis is away, reconnects, and goes on', async () => {
    const s = await server();
    const links: LabLink[] = [];
    const waiters: ((l: LabLink) => void)[] = [];
    let seen = 0;
    /** The next change of the link to `connected`, after the ones already awaited. */
    const next = (connected: boolean) =>
      new Promise<LabLink>((resolve) => {
        const check = () => {
          const index = links.findIndex((l, i) => i >= seen && l.connected === connected);
          if (index < 0) return false;
          seen = index + 1;
          resolve(links[index]!);
          return true;
        };
        if (!check()) waiters.push(() => void check());
      });
    const changes: ((j: JobRecord) => void)[] = [];
    const q = await engine(s.url, {
      onConnection: (l) => {
        links.push(l);
        waiters.forEach((w) => w(l));
      },
      onChange: (j) => changes.forEach((c) => c(j)),
    });
    expect(q.connection()).toMatchObject({ engine: 'bullmq', connected: true });
    q.register('add', { schema: Payload, queue: 'io', handler: async () => {} });
    await q.start();

    await s.kill();
    expect((await next(false)).detail).toMatch(/lab disconnected/);
    expect(q.connection().connected).toBe(false);

    // AOF brings the queue back with the broker; the job added before the loss still runs.
    await s.restart();
    await next(true);
    const done = new Promise<JobRecord>((resolve) =>
      changes.push((j) => j.state === 'completed' && resolve(j)),
    );
    const job = await q.enqueue('add', { n: 1 });
    expect((await done).id).toBe(job.id);
    expect(q.connection().connected).toBe(true);
  });

  it.skipIf(skip)(
    'keeps completed jobs only as long as the retention says (Redis never evicts)',
    async () => {
      const s = await server();
      let completed = 0;
      const allDone = new Promise<void>((resolve) => {
        void engine(s.url, {
          completedRetention: { ageSeconds: 3600, count: 3 },
          onChange: (j) => j.state === 'completed' && ++completed === 8 && resolve(),
        }).then(async (q) => {
          q.register('add', { schema: Payload, queue: 'io', handler: async () => {} });
          q.configureQueue('io', { concurrency: 1 });
          await q.start();
          for (let n = 0; n < 8; n++) await q.enqueue('add', { n });
        });
      });
      await allDone;
      const counts = await queues[0]!.counts();
      expect(counts.io?.completed).toBe(3);
    },
  );
});
