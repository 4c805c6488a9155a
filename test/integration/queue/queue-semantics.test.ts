import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FatalError, TransientError } from '../../../electron/queue/errors';
import { Payload, queueHarness } from '../../helpers/queue-harness';

describe('durable queue semantics', () => {
  let h: ReturnType<typeof queueHarness>;
  afterEach(async () => h?.close());

  it('runs a job and acknowledges it once, after the handler finished', async () => {
    h = queueHarness();
    const seen: number[] = [];
    h.queue.register('add', {
      schema: Payload,
      queue: 'default',
      handler: async ({ n }) => void seen.push(n),
    });
    h.queue.start();
    const done = h.when((j) => j.state === 'completed');
    const job = h.queue.enqueue('add', { n: 7 });
    expect((await done).id).toBe(job.id);
    expect(seen).toEqual([7]);
    expect(h.store.ackCounts().get(job.id)).toBe(1);
    expect(h.store.attempts(job.id)).toMatchObject([{ attempt: 1, outcome: 'completed' }]);
  });

  it('returns the existing job when the same idempotency key is enqueued again', () => {
    h = queueHarness();
    h.queue.register('add', { schema: Payload, queue: 'default', handler: async () => {} });
    const a = h.queue.enqueue('add', { n: 1 }, { idempotencyKey: 'batch-B1-capture' });
    const b = h.queue.enqueue('add', { n: 2 }, { idempotencyKey: 'batch-B1-capture' });
    expect(b.id).toBe(a.id);
    expect(h.store.list({}).total).toBe(1);
  });

  it('refuses a payload that breaks the type schema, naming the field, and stores nothing', () => {
    h = queueHarness();
    h.queue.register('add', { schema: Payload, queue: 'default', handler: async () => {} });
    expect(() => h.queue.enqueue('add', { n: 'seven' })).toThrow(/n/);
    expect(() => h.queue.enqueue('nope', {})).toThrow(/no handler/);
    expect(h.store.list({}).total).toBe(0);
  });

  it('retries transient errors with exponential backoff, then succeeds', async () => {
    h = queueHarness();
    let calls = 0;
    h.queue.register('flaky', {
      schema: Payload,
      queue: 'io',
      retry: { retries: 3, baseMs: 1000, capMs: 60_000 },
      handler: async () => {
        calls += 1;
        if (calls < 3) throw new TransientError('connection reset');
      },
    });
    h.queue.start();
    const firstRetry = h.when((j) => j.state === 'retrying');
    const job = h.queue.enqueue('flaky', { n: 1 });
    expect((await firstRetry).availableAt).toBe(h.clock.now() + 1000);
    const secondRetry = h.when((j) => j.state === 'retrying');
    h.clock.advance(1000);
    expect((await secondRetry).availableAt).toBe(h.clock.now() + 2000);
    const done = h.when((j) => j.state === 'completed');
    h.clock.advance(2000);
    await done;
    expect(h.store.attempts(job.id).map((a) => a.outcome)).toEqual(['retrying', 'retrying', 'completed']);
  });

  it('caps the backoff', async () => {
    const { backoffDelay } = await import('../../../electron/queue/backoff');
    expect(backoffDelay({ retries: 9, baseMs: 30_000, capMs: 600_000 }, 10, () => 0.999999)).toBeLessThan(
      600_000,
    );
    expect(backoffDelay({ retries: 9, baseMs: 30_000, capMs: 600_000 }, 1, () => 0.5)).toBe(15_000);
  });

  it('quarantines a fatal error at once, with the error, stack and worker recorded', async () => {
    h = queueHarness();
    h.queue.register('verify', {
      schema: Payload,
      queue: 'compute',
      handler: async () => {
        throw new FatalError('checksum mismatch on page 2');
      },
    });
    h.queue.start();
    const quarantined = h.when((j) => j.state === 'quarantined');
    const job = h.queue.enqueue('verify', { n: 1 });
    expect((await quarantined).lastError).toBe('checksum mismatch on page 2');
    const [attempt] = h.store.attempts(job.id);
    expect(attempt).toMatchObject({ outcome: 'quarantined', errorClass: 'fatal', worker: h.queue.workerId });
    expect(attempt?.stack).toContain('checksum mismatch');
  });

  it('quarantines a job whose retries are exhausted', async () => {
    h = queueHarness();
    h.queue.register('down', {
      schema: Payload,
      queue: 'io',
      retry: { retries: 1, baseMs: 10, capMs: 10 },
      handler: async () => Promise.reject(new TransientError('ECONNRESET')),
    });
    h.queue.start();
    const retrying = h.when((j) => j.state === 'retrying');
    h.queue.enqueue('down', { n: 1 });
    await retrying;
    const quarantined = h.when((j) => j.state === 'quarantined');
    h.clock.advance(10);
    expect((await quarantined).attempts).toBe(2);
  });

  it('runs one job at a time on a device queue, two on compute', async () => {
    h = queueHarness();
    const gates: Array<() => void> = [];
    let running = 0;
    let peak = 0;
    const handler = (_p: unknown, { signal }: { signal: AbortSignal }) =>
      new Promise<void>((resolve) => {
        running += 1;
        peak = Math.max(peak, running);
        const release = () => {
          running -= 1;
          resolve();
        };
        gates.push(release);
        signal.addEventListener('abort', release, { once: true }); // shutdown
      });
    h.queue.register('capture', {
      schema: z.object({ device: z.string() }),
      queue: (p) => `device:${p.device}`,
      handler,
    });
    h.queue.start();
    for (let i = 0; i < 3; i++) h.queue.enqueue('capture', { device: 'sim-1' });
    expect(h.store.list({ state: 'active' }).total).toBe(1);
    h.queue.register('thumb', { schema: Payload, queue: 'compute', handler });
    for (let i = 0; i < 3; i++) h.queue.enqueue('thumb', { n: i });
    expect(h.store.list({ state: 'active', queue: 'compute' }).total).toBe(2);
    expect(peak).toBe(3);
    gates.forEach((g) => g());
  });

  it("redelivers a job whose lease expired, and fences the stale worker's late ack", async () => {
    h = queueHarness({ visibilityMs: 1000 });
    let release!: () => void;
    const calls: number[] = [];
    h.queue.register('slow', {
      schema: Payload,
      queue: 'default',
      handler: (p) => {
        calls.push(p.n);
        return calls.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    });
    // No heartbeat can keep the first lease alive: its lease is extended only by the running
    // worker, and we simulate a stuck worker by letting the lease lapse.
    const job = h.store.insert(
      { queue: 'default', type: 'slow', payload: { n: 1 }, maxAttempts: 3, availableAt: 0 },
      0,
    ).job;
    const leased = h.store.lease('default', 'stuck-worker', h.clock.now(), 1000)!;
    h.clock.advance(1001);
    const reclaimed = h.store.reclaim(h.clock.now(), false);
    expect(reclaimed.map((j) => j.state)).toEqual(['waiting']);
    expect(h.store.ack(job.id, leased.leaseToken!, h.clock.now(), null)).toBeNull();
    h.queue.start();
    const done = h.when((j) => j.state === 'completed');
    release?.();
    await done;
    expect(h.store.attempts(job.id).map((a) => a.outcome)).toEqual(['lost', 'completed']);
  });

  it('on start-up re-queues jobs a crash left active, and quarantines one that used all its attempts', async () => {
    h = queueHarness();
    h.queue.register('x', { schema: Payload, queue: 'default', handler: async () => {} });
    const a = h.store.insert(
      { queue: 'default', type: 'x', payload: { n: 1 }, maxAttempts: 3, availableAt: 0 },
      0,
    ).job;
    const poison = h.store.insert(
      { queue: 'default', type: 'x', payload: { n: 2 }, maxAttempts: 1, availableAt: 0 },
      0,
    ).job;
    h.store.lease('default', 'dead', 0, 60_000);
    h.store.lease('default', 'dead', 0, 60_000);
    const done = h.when((j) => j.id === a.id && j.state === 'completed');
    h.queue.start();
    await done;
    expect(h.store.get(poison.id)?.state).toBe('quarantined');
    expect(h.store.attempts(a.id)[0]).toMatchObject({
      outcome: 'lost',
      error: expect.stringMatching(/lost/),
    });
  });

  it("soft time limit aborts the handler's signal; hard limit fails it as transient and ignores a late result", async () => {
    h = queueHarness();
    let aborted = false;
    let finish!: () => void;
    h.queue.register('long', {
      schema: Payload,
      queue: 'default',
      retry: { retries: 0 },
      softTimeoutMs: 100,
      hardTimeoutMs: 200,
      handler: (_p, { signal }) => {
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise<void>((r) => (finish = r));
      },
    });
    h.queue.start();
    const job = h.queue.enqueue('long', { n: 1 });
    const quarantined = h.when((j) => j.state === 'quarantined');
    h.clock.advance(100);
    expect(aborted).toBe(true);
    h.clock.advance(100);
    expect((await quarantined).lastError).toMatch(/hard time limit/);
    finish();
    await Promise.resolve();
    expect(h.store.get(job.id)?.state).toBe('quarantined');
    expect(h.store.attempts(job.id)[0]?.errorClass).toBe('transient');
  });

  it('a paused queue leases nothing until resumed', async () => {
    h = queueHarness();
    h.queue.register('x', { schema: Payload, queue: 'io', handler: async () => {} });
    h.store.setPaused('io', true);
    h.queue.start();
    h.queue.enqueue('x', { n: 1 });
    expect(h.store.list({ state: 'waiting' }).total).toBe(1);
    const done = h.when((j) => j.state === 'completed');
    h.store.setPaused('io', false);
    h.queue.pump('io');
    await done;
  });

  it('applies a per-queue rate limit', async () => {
    h = queueHarness();
    h.queue.register('x', { schema: Payload, queue: 'io', handler: async () => {} });
    h.queue.configureQueue('io', { concurrency: 8, rateLimit: { max: 2, perMs: 1000 } });
    h.queue.start();
    for (let i = 0; i < 5; i++) h.queue.enqueue('x', { n: i });
    const started = () => h.store.list({}).items.filter((j) => j.attempts > 0).length;
    expect(started()).toBe(2);
    h.clock.advance(1000);
    expect(started()).toBe(4);
  });
});
