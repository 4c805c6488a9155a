import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FatalError, JobCancelledError, TransientError } from '../../../../electron/queue/errors';
import { engineHarness, Payload, type EngineName } from '../../../helpers/queue-harness';
import { redisServerBinary, startRedisServer, type RedisServer } from '../../../helpers/redis-server';

// runAndAwait (the pipeline's page work spread over the lab) on both engines, from one set of tests.
const redisBinary = redisServerBinary();
if (redisBinary.path === null) console.warn(`[run and await] bullmq skipped: ${redisBinary.reason}`);
const ENGINES: { name: EngineName; skip: boolean }[] = [
  { name: 'sqlite', skip: false },
  { name: 'bullmq', skip: redisBinary.path === null },
];
const FAST_RETRY = { retries: 1, baseMs: 5, capMs: 10 };
const steps = (ns: number[], key?: string) =>
  ns.map((n) => ({
    type: 'double',
    payload: { n },
    options: key ? { idempotencyKey: `${key}:${n}` } : {},
  }));

describe.each(ENGINES)('runAndAwait on $name', ({ name, skip }) => {
  let redis: RedisServer | null = null;
  let h: Awaited<ReturnType<typeof engineHarness>>;
  beforeAll(async () => {
    if (name === 'bullmq' && !skip) redis = await startRedisServer();
  });
  afterAll(async () => redis?.stop());
  afterEach(async () => h?.close());
  const open = async () => (h = await engineHarness(name, redis?.url ?? null));

  it.skipIf(skip)('resolves with every return value in the order of the steps', async () => {
    await open();
    const ran: number[] = [];
    h.queue.register('double', {
      schema: Payload,
      queue: 'compute',
      handler: async ({ n }) => {
        ran.push(n);
        return { n, twice: n * 2 };
      },
    });
    await h.queue.start();
    const results = await h.queue.runAndAwait(steps([5, 1, 4, 2, 3]));
    expect(results).toEqual([5, 1, 4, 2, 3].map((n) => ({ n, twice: n * 2 })));
    expect(ran.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await h.queue.runAndAwait([])).toEqual([]);
  });

  it.skipIf(skip)(
    'called again with the same keys (a caller redelivered), reuses the completed results without running them again',
    async () => {
      await open();
      let calls = 0;
      h.queue.register('double', {
        schema: Payload,
        queue: 'compute',
        handler: async ({ n }) => {
          calls += 1;
          return n * 2;
        },
      });
      await h.queue.start();
      expect(await h.queue.runAndAwait(steps([1, 2, 3], 'B-1:derivatives:job-9'))).toEqual([2, 4, 6]);
      expect(calls).toBe(3);
      // One more page since (a recapture): only it runs.
      expect(await h.queue.runAndAwait(steps([1, 2, 3, 4], 'B-1:derivatives:job-9'))).toEqual([2, 4, 6, 8]);
      expect(calls).toBe(4);
      expect((await h.queue.list({ type: 'double' })).total).toBe(4);
    },
  );

  it.skipIf(skip)(
    'rejects with the failure of a job that failed for good, once the others ended; a second call runs it again',
    async () => {
      await open();
      const ran: number[] = [];
      let brokenUntilRetried = true;
      h.queue.register('double', {
        schema: Payload,
        queue: 'compute',
        retry: FAST_RETRY,
        handler: async ({ n }) => {
          ran.push(n);
          if (n === 2 && brokenUntilRetried) throw new TransientError('NAS share went away');
          if (n === 3) throw new FatalError('page 3 is not a TIFF');
          return n * 2;
        },
      });
      await h.queue.start();
      const fatal = await h.queue.runAndAwait(steps([1, 3], 'fatal')).catch((e: unknown) => e);
      expect(fatal).toBeInstanceOf(FatalError);
      expect((fatal as Error).message).toMatch(/double job .* failed: page 3 is not a TIFF/);

      const transient = await h.queue.runAndAwait(steps([1, 2], 'flaky')).catch((e: unknown) => e);
      expect(transient).toBeInstanceOf(TransientError);
      expect((transient as Error).message).toMatch(/NAS share went away/);
      expect(ran.filter((n) => n === 2)).toHaveLength(2); // both attempts, then quarantined

      brokenUntilRetried = false;
      expect(await h.queue.runAndAwait(steps([1, 2], 'flaky'))).toEqual([2, 4]);
      expect(ran.filter((n) => n === 1)).toHaveLength(2); // once per key, never again
    },
  );

  it.skipIf(skip)('rejects with a cancellation when a job ends cancelled', async () => {
    await open();
    h.queue.register('double', {
      schema: Payload,
      queue: 'compute',
      handler: async ({ n }) => {
        if (n === 9) throw new JobCancelledError('batch B-2 is cancelled');
        return n;
      },
    });
    await h.queue.start();
    const error = await h.queue.runAndAwait(steps([1, 9])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobCancelledError);
    expect((error as Error).message).toMatch(/was cancelled: batch B-2 is cancelled/);
  });

  it.skipIf(skip)(
    'rejects at once when its signal aborts; the jobs run on and a later call finds their results',
    async () => {
      await open();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      h.queue.register('double', {
        schema: Payload,
        queue: 'compute',
        handler: async ({ n }) => {
          await held;
          return n * 2;
        },
      });
      await h.queue.start();
      const controller = new AbortController();
      const started = h.when((j) => j.type === 'double' && j.state === 'active');
      const waiting = h.queue.runAndAwait(steps([1], 'abort'), { signal: controller.signal });
      await started;
      controller.abort(new TransientError('soft time limit'));
      await expect(waiting).rejects.toThrow(/soft time limit/);
      const done = h.when((j) => j.type === 'double' && j.state === 'completed');
      release();
      await done;
      expect(await h.queue.runAndAwait(steps([1], 'abort'))).toEqual([2]);
    },
  );
});
