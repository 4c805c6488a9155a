import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { systemClock } from '../../../../electron/core/clock';
import { createBullmqTaskQueue } from '../../../../electron/queue/bullmq/engine';
import type { JobRecord, TaskQueue } from '../../../../electron/queue/queue';
import { redisServerBinary, startRedisServer, type RedisServer } from '../../../helpers/redis-server';

const binary = redisServerBinary();
if (binary.path === null) console.warn(`[lab lock lost] skipped: ${binary.reason}`);

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('a lab station loses the lock of a job it runs', () => {
  let redis: RedisServer | null = null;
  let client: Redis | null = null;
  const queues: TaskQueue[] = [];
  afterEach(async () => {
    await Promise.allSettled(queues.splice(0).map((q) => q.close()));
    await client?.quit().catch(() => undefined);
    await redis?.stop();
  });

  it.skipIf(binary.path === null)(
    'its run is aborted before it records anything, and only the next run records the effect',
    async () => {
      redis = await startRedisServer();
      client = new Redis(redis.url);
      const prefix = 'lock';

      // Station A's log lines, awaited as they come.
      const logs: Record<string, unknown>[] = [];
      const logWaiters = new Set<() => void>();
      const logger = pino(
        { level: 'warn' },
        {
          write: (line: string) => {
            logs.push(JSON.parse(line) as Record<string, unknown>);
            logWaiters.forEach((w) => w());
          },
        },
      );
      const logged = (predicate: (line: Record<string, unknown>) => boolean) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (!logs.some(predicate)) return;
            logWaiters.delete(check);
            resolve();
          };
          logWaiters.add(check);
          check();
        });

      const effects: string[] = [];
      const firstSignal = deferred<AbortSignal>();
      const firstEnded = deferred();
      const secondRecorded = deferred();
      const completed = deferred<JobRecord>();
      let runs = 0;
      const station = async (name: string, logs: pino.Logger) => {
        const queue = await createBullmqTaskQueue({
          url: redis!.url,
          prefix,
          station: name,
          clock: systemClock,
          logger: logs,
          onChange: (job) => job.state === 'completed' && completed.resolve(job),
          locks: { lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 2 },
        });
        queues.push(queue);
        queue.register('batch.qc', {
          schema: z.object({ batch: z.string() }),
          queue: 'stage',
          handler: async (_payload, { signal }) => {
            const run = ++runs;
            if (run > 1) {
              effects.push(`run ${run} on ${name}`);
              secondRecorded.resolve();
              return null;
            }
            firstSignal.resolve(signal);
            try {
              // Like batch.qc waiting on its pages: it goes on when the work it waits for is
              // done (here: once another run has recorded) or when it is told to stop.
              await Promise.race([
                secondRecorded.promise,
                new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
              ]);
              signal.throwIfAborted(); // as a stage does before it records its PREMIS event
              effects.push(`run 1 on ${name}`);
              return null;
            } finally {
              firstEnded.resolve();
            }
          },
        });
        await queue.start();
        return queue;
      };

      const a = await station('a', logger);
      const job = await a.enqueue('batch.qc', { batch: 'b-1' });
      const signal = await firstSignal.promise;

      // The lock runs out while station A still works on the job (Redis away longer than
      // lockDuration); A's next renewal finds it gone.
      expect(await client.del(`${prefix}:stage:${job.id}:lock`)).toBe(1);
      await logged((l) => String(l.err).includes(`could not renew lock for job ${job.id}`));

      // Station B joins; the job, stalled, is run again (on A, free again, or B).
      await station('b', pino({ level: 'silent' }));
      await completed.promise;
      await firstEnded.promise;

      // Recorded once, by the second run; the first was told to stop, and why.
      expect(effects).toHaveLength(1);
      expect(effects[0]).toMatch(/^run 2 on /);
      expect(signal.aborted).toBe(true);
      expect(String((signal.reason as Error).message)).toMatch(/lock.*lost.*another station/);
      expect(
        logs.some((l) => l.jobId === job.id && l.type === 'batch.qc' && /lock lost/.test(String(l.msg))),
      ).toBe(true);
      // The aborted run is no failed attempt of the job: its history shows it lost, then done.
      const { attempts } = await a.show(job.id);
      expect(attempts.map((x) => x.outcome)).toEqual(['lost', 'completed']);
    },
  );
});
