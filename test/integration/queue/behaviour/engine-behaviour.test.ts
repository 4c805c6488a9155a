import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FatalError, TransientError, WaitingForServiceError } from '../../../../electron/queue/errors';
import { engineHarness, Payload, type EngineName } from '../../../helpers/queue-harness';
import { redisServerBinary, startRedisServer, type RedisServer } from '../../../helpers/redis-server';

// One set of queue behaviours, run against both engines behind the TaskQueue interface (as
// BullMQ runs one suite against its backends). Retries use millisecond backoffs on the real clock.
const redisBinary = redisServerBinary();
if (redisBinary.path === null) console.warn(`[queue behaviour] bullmq skipped: ${redisBinary.reason}`);
const ENGINES: { name: EngineName; skip: boolean }[] = [
  { name: 'sqlite', skip: false },
  { name: 'bullmq', skip: redisBinary.path === null },
];
const FAST_RETRY = { retries: 2, baseMs: 5, capMs: 20 };

describe.each(ENGINES)('queue behaviour on $name', ({ name, skip }) => {
  let redis: RedisServer | null = null;
  let h: Awaited<ReturnType<typeof engineHarness>>;
  beforeAll(async () => {
    if (name === 'bullmq' && !skip) redis = await startRedisServer();
  });
  afterAll(async () => redis?.stop());
  afterEach(async () => h?.close());
  const open = async (options: { serviceWaitMs?: number } = {}) =>
    (h = await engineHarness(name, redis?.url ?? null, options));

  it.skipIf(skip)('runs a job once and records the completed attempt', async () => {
    await open();
    const seen: number[] = [];
    h.queue.register('add', {
      schema: Payload,
      queue: 'default',
      handler: async ({ n }) => void seen.push(n),
    });
    await h.queue.start();
    const done = h.when((j) => j.type === 'add' && j.state === 'completed');
    const job = await h.queue.enqueue('add', { n: 7 }, { batchId: 'B-1' });
    expect((await done).id).toBe(job.id);
    expect(seen).toEqual([7]);
    const shown = await h.queue.show(job.id);
    expect(shown.job).toMatchObject({ state: 'completed', batchId: 'B-1', payload: { n: 7 } });
    expect(shown.attempts.map((a) => a.outcome)).toEqual(['completed']);
    expect((await h.queue.list({ batchId: 'B-1' })).items.map((j) => j.id)).toEqual([job.id]);
  });

  it.skipIf(skip)('returns the existing job for an idempotency key used before', async () => {
    await open();
    h.queue.register('add', { schema: Payload, queue: 'default', handler: async () => {} });
    const a = await h.queue.enqueue('add', { n: 1 }, { idempotencyKey: 'B1-capture' });
    const b = await h.queue.enqueue('add', { n: 2 }, { idempotencyKey: 'B1-capture' });
    expect(b.id).toBe(a.id);
    expect(b.payload).toEqual({ n: 1 });
    expect((await h.queue.list({})).total).toBe(1);
  });

  it.skipIf(skip)(
    'refuses a bad payload naming the field, and a burst with one bad item stores nothing',
    async () => {
      await open();
      h.queue.register('add', { schema: Payload, queue: 'default', handler: async () => {} });
      await expect(h.queue.enqueue('add', { n: 'seven' })).rejects.toThrow(/n/);
      await expect(h.queue.enqueue('nope', {})).rejects.toThrow(/no handler/);
      await expect(
        h.queue.enqueueMany([
          { type: 'add', payload: { n: 1 } },
          { type: 'add', payload: { n: 'x' } },
        ]),
      ).rejects.toThrow(/job 1 \(add\): n/);
      expect((await h.queue.list({})).total).toBe(0);
    },
  );

  it.skipIf(skip)('runs every job of a burst spread over two queues, each once', async () => {
    await open();
    const ran: number[] = [];
    const handler = async ({ n }: { n: number }) => void ran.push(n);
    h.queue.register('io-add', { schema: Payload, queue: 'io', handler });
    h.queue.register('compute-add', { schema: Payload, queue: 'compute', handler });
    await h.queue.start();
    let completed = 0;
    const all = h.when((j) => j.state === 'completed' && ++completed === 4);
    const jobs = await h.queue.enqueueMany([
      { type: 'io-add', payload: { n: 1 } },
      { type: 'compute-add', payload: { n: 2 } },
      { type: 'io-add', payload: { n: 3 }, options: { batchId: 'B-2' } },
      { type: 'compute-add', payload: { n: 4 } },
    ]);
    expect(jobs.map((j) => [j.queue, j.payload])).toEqual([
      ['io', { n: 1 }],
      ['compute', { n: 2 }],
      ['io', { n: 3 }],
      ['compute', { n: 4 }],
    ]);
    await all;
    expect(ran.sort()).toEqual([1, 2, 3, 4]);
    expect((await h.queue.list({ batchId: 'B-2' })).items.map((j) => j.id)).toEqual([jobs[2]!.id]);
    expect((await h.queue.show(jobs[1]!.id)).attempts.map((a) => a.outcome)).toEqual(['completed']);
  });

  it.skipIf(skip)(
    'retries a transient failure with backoff, then completes; the history shows both attempts',
    async () => {
      await open();
      let calls = 0;
      h.queue.register('flaky', {
        schema: Payload,
        queue: 'io',
        retry: FAST_RETRY,
        handler: async () => {
          if (++calls === 1) throw new TransientError('scanner busy');
        },
      });
      await h.queue.start();
      const done = h.when((j) => j.type === 'flaky' && j.state === 'completed');
      const job = await h.queue.enqueue('flaky', { n: 1 });
      await done;
      const { attempts } = await h.queue.show(job.id);
      expect(attempts.map((a) => [a.outcome, a.errorClass])).toEqual([
        ['retrying', 'transient'],
        ['completed', null],
      ]);
      expect(attempts[0]!.error).toBe('scanner busy');
    },
  );

  it.skipIf(skip)(
    'quarantines a fatal error at once, and exhausted retries after the last attempt',
    async () => {
      await open();
      h.queue.register('fatal', {
        schema: Payload,
        queue: 'compute',
        retry: FAST_RETRY,
        handler: async () => {
          throw new FatalError('checksum mismatch on page 3', { page: 3 });
        },
      });
      h.queue.register('always', {
        schema: Payload,
        queue: 'compute',
        retry: FAST_RETRY,
        handler: async () => {
          throw new TransientError('connection reset');
        },
      });
      await h.queue.start();
      const fatalDone = h.when((j) => j.type === 'fatal' && j.state === 'quarantined');
      const fatal = await h.queue.enqueue('fatal', { n: 1 });
      expect((await fatalDone).lastError).toBe('checksum mismatch on page 3');
      expect((await h.queue.show(fatal.id)).attempts.map((a) => [a.outcome, a.errorClass])).toEqual([
        ['quarantined', 'fatal'],
      ]);
      const exhaustedDone = h.when((j) => j.type === 'always' && j.state === 'quarantined');
      const always = await h.queue.enqueue('always', { n: 2 });
      await exhaustedDone;
      const { job, attempts } = await h.queue.show(always.id);
      expect(job.attempts).toBe(3);
      expect(attempts.map((a) => a.outcome)).toEqual(['retrying', 'retrying', 'quarantined']);
      expect(attempts.every((a) => a.error === 'connection reset')).toBe(true);

      // The operator runs it again: one more attempt.
      const again = h.when((j) => j.id === always.id && j.state === 'quarantined' && j.attempts === 4);
      expect((await h.queue.retry(always.id)).state).toBe('waiting');
      await again;
      await expect(h.queue.cancel(always.id)).rejects.toThrow(/cannot be cancelled in state quarantined/);
      await expect(h.queue.show('no-such-job')).rejects.toThrow(/not found/);
    },
  );

  it.skipIf(skip)(
    'waits for a service that does not answer without spending attempts, then runs',
    async () => {
      await open({ serviceWaitMs: 20 });
      const AWAY = 'waiting for the catalog: the lab database did not answer (ECONNREFUSED)';
      // Two waits, a failure of its own, a wait, then success: with one retry allowed, only
      // the failure and the success are attempts.
      const script: Array<'wait' | 'fail' | 'ok'> = ['wait', 'wait', 'fail', 'wait', 'ok'];
      let calls = 0;
      h.queue.register('needs-db', {
        schema: Payload,
        queue: 'io',
        retry: { retries: 1, baseMs: 5, capMs: 20 },
        handler: async () => {
          const step = script[calls++];
          if (step === 'wait') throw new WaitingForServiceError(AWAY);
          if (step === 'fail') throw new TransientError('connection reset');
        },
      });
      await h.queue.start();
      const firstWait = h.when((j) => j.type === 'needs-db' && j.state === 'delayed');
      const done = h.when((j) => j.type === 'needs-db' && j.state === 'completed');
      const job = await h.queue.enqueue('needs-db', { n: 1 });
      expect(await firstWait).toMatchObject({ attempts: 0, lastError: AWAY });
      await done;
      expect(calls).toBe(5);
      const shown = await h.queue.show(job.id);
      expect(shown.job).toMatchObject({ state: 'completed', attempts: 2 });
      expect(shown.attempts.map((a) => [a.attempt, a.outcome, a.error])).toEqual([
        [1, 'retrying', 'connection reset'],
        [2, 'completed', null],
      ]);
    },
  );

  it.skipIf(skip)('runs a chain in order and completes its workflow', async () => {
    await open();
    const order: number[] = [];
    h.queue.register('step', {
      schema: Payload,
      queue: 'default',
      handler: async ({ n }) => void order.push(n),
    });
    await h.queue.start();
    const id = await h.queue.chain([1, 2, 3].map((n) => ({ type: 'step', payload: { n } })));
    expect(await h.workflow(id)).toMatchObject({ state: 'completed', failure: null });
    expect(order).toEqual([1, 2, 3]);
    expect(await h.queue.workflowState(id)).toMatchObject({ kind: 'chain', state: 'completed', total: 3 });
  });

  it.skipIf(skip)('runs a chord callback after every member, and a group to completion', async () => {
    await open();
    const seen: string[] = [];
    h.queue.register('member', {
      schema: Payload,
      queue: 'io',
      handler: async ({ n }) => void seen.push(`m${n}`),
    });
    h.queue.register('callback', {
      schema: Payload,
      queue: 'default',
      handler: async () => void seen.push('cb'),
    });
    await h.queue.start();
    const chord = await h.queue.chord(
      [1, 2, 3].map((n) => ({ type: 'member', payload: { n } })),
      { type: 'callback', payload: { n: 0 } },
    );
    expect((await h.workflow(chord)).state).toBe('completed');
    expect(seen.slice(0, 3).sort()).toEqual(['m1', 'm2', 'm3']);
    expect(seen.at(-1)).toBe('cb');
    const group = await h.queue.group([4, 5].map((n) => ({ type: 'member', payload: { n } })));
    expect((await h.workflow(group)).state).toBe('completed');
  });

  it.skipIf(skip)(
    'ends a chord with the failure of a member that failed for good, and never runs its callback',
    async () => {
      await open();
      let callbackRan = false;
      h.queue.register('member', {
        schema: Payload,
        queue: 'io',
        handler: async ({ n }) => {
          if (n === 2) throw new FatalError('page 2 is not a TIFF');
        },
      });
      h.queue.register('callback', {
        schema: Payload,
        queue: 'default',
        handler: async () => void (callbackRan = true),
      });
      await h.queue.start();
      const chord = await h.queue.chord(
        [1, 2].map((n) => ({ type: 'member', payload: { n } })),
        { type: 'callback', payload: { n: 0 } },
      );
      const outcome = await h.workflow(chord);
      expect(outcome.state).toBe('failed');
      expect(outcome.failure).toMatch(/member job .* ended quarantined: page 2 is not a TIFF/);
      expect((await h.queue.workflowState(chord))?.state).toBe('failed');
      expect(callbackRan).toBe(false);
    },
  );

  it.skipIf(skip)('cancels a waiting job, pauses and resumes a queue', async () => {
    await open();
    const ran: number[] = [];
    h.queue.register('add', { schema: Payload, queue: 'io', handler: async ({ n }) => void ran.push(n) });
    expect(await h.queue.setPaused('io', true)).toEqual(['io']);
    await h.queue.start();
    const doomed = await h.queue.enqueue('add', { n: 1 });
    const kept = await h.queue.enqueue('add', { n: 2 });
    expect((await h.queue.cancel(doomed.id)).state).toBe('cancelled');
    expect((await h.queue.show(kept.id)).job.state).toBe('waiting');
    const done = h.when((j) => j.id === kept.id && j.state === 'completed');
    expect(await h.queue.setPaused('io', false)).toEqual([]);
    await done;
    expect(ran).toEqual([2]);
    expect((await h.queue.show(doomed.id)).job.state).toBe('cancelled');
    expect((await h.queue.counts()).io).toMatchObject({ completed: 1 });
  });

  it.skipIf(skip)('fails an attempt that passes its hard time limit as transient', async () => {
    await open();
    h.queue.register('slow', {
      schema: z.object({}),
      queue: 'compute',
      retry: { retries: 0 },
      hardTimeoutMs: 50,
      handler: (_p, { signal }) =>
        new Promise((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true })),
    });
    await h.queue.start();
    const done = h.when((j) => j.type === 'slow' && j.state === 'quarantined');
    const job = await h.queue.enqueue('slow', {});
    expect((await done).lastError).toMatch(/hard time limit of 50 ms/);
    expect((await h.queue.show(job.id)).attempts[0]).toMatchObject({ errorClass: 'transient' });
  });
});
