import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../electron/core/clock';
import { silentLogger } from '../../../electron/core/logger';
import { JobQueue } from '../../../electron/queue/sqlite/job-queue';
import { QUEUE_MIGRATIONS } from '../../../electron/queue/sqlite/migrations';
import { SqliteQueueStore, timeOrderedUuid, type AckRequest } from '../../../electron/queue/sqlite/store';
import { migrate, openDatabase } from '../../../electron/storage/index';
import { Payload, queueHarness } from '../../helpers/queue-harness';
import { makeTempDir } from '../../helpers/temp-dir';

describe('group commit', () => {
  let h: ReturnType<typeof queueHarness>;
  afterEach(async () => h?.close());

  it('acknowledges jobs that finish together in one transaction, each exactly once', async () => {
    h = queueHarness();
    h.queue.register('noop', { schema: Payload, queue: 'io', handler: async () => undefined });
    let transactions = 0;
    const atomically = h.store.atomically.bind(h.store);
    h.store.atomically = <T>(work: () => T): T => {
      if (!h.db.inTransaction) transactions += 1;
      return atomically(work);
    };
    const jobs = h.queue.enqueueMany(Array.from({ length: 8 }, (_, n) => ({ type: 'noop', payload: { n } })));
    let completed = 0;
    const finished = h.when((j) => j.state === 'completed' && ++completed === 8);
    transactions = 0;
    h.queue.start();
    await finished;
    // Crash recovery at start-up, one lease of all eight (the io queue runs eight at once), and
    // one commit acknowledging them all; one by one it would be seventeen.
    expect(transactions).toBe(3);
    for (const job of jobs) {
      expect(h.store.ackCounts().get(job.id)).toBe(1);
      expect(h.store.attempts(job.id)).toMatchObject([{ attempt: 1, outcome: 'completed' }]);
    }
  });

  it('when the shared commit fails, acknowledges the jobs one by one, so one bad ack fails only its own job', async () => {
    h = queueHarness();
    h.queue.register('noop', {
      schema: Payload,
      queue: 'io',
      retry: { retries: 2, baseMs: 1000, capMs: 1000 },
      handler: async () => undefined,
    });
    const [good, bad] = h.queue.enqueueMany([
      { type: 'noop', payload: { n: 1 } },
      { type: 'noop', payload: { n: 2 } },
    ]);
    const ack = h.store.ackInTransaction.bind(h.store);
    h.store.ackInTransaction = (request: AckRequest, ...rest) => {
      if (request.id === bad!.id) throw new Error('SQLITE_FULL: database or disk is full');
      return ack(request, ...rest);
    };
    const goodDone = h.when((j) => j.id === good!.id && j.state === 'completed');
    const badRetrying = h.when((j) => j.id === bad!.id && j.state === 'retrying');
    h.queue.start();
    await Promise.all([goodDone, badRetrying]);
    expect(h.store.get(good!.id)).toMatchObject({ state: 'completed' });
    expect(h.store.get(bad!.id)).toMatchObject({
      state: 'retrying',
      lastError: expect.stringMatching(/disk is full/),
    });
  });

  it('enqueueMany refuses the whole burst when one payload is bad, naming its position, and stores nothing', () => {
    h = queueHarness();
    h.queue.register('noop', { schema: Payload, queue: 'io', handler: async () => undefined });
    expect(() =>
      h.queue.enqueueMany([
        { type: 'noop', payload: { n: 1 } },
        { type: 'noop', payload: { n: 'two' } },
      ]),
    ).toThrow(/job 1 \(noop\): n:/);
    expect(() => h.queue.enqueueMany([{ type: 'nope', payload: {} }])).toThrow(/job 0: no handler/);
    expect(h.store.list({}).total).toBe(0);
  });

  it('shows the attempt that is running as the active job itself', async () => {
    h = queueHarness();
    const job = h.store.insert(
      { queue: 'io', type: 'noop', payload: { n: 1 }, maxAttempts: 3, availableAt: 0 },
      0,
    ).job;
    h.clock.advance(5_000);
    h.store.lease('io', 'worker-a', h.clock.now(), 60_000);
    expect(h.store.attempts(job.id)).toEqual([
      expect.objectContaining({
        attempt: 1,
        worker: 'worker-a',
        outcome: 'running',
        startedAt: h.clock.now(),
      }),
    ]);
  });
});

describe('job ids', () => {
  it('are UUIDv7: version 7, RFC variant, and ordered by the millisecond they were made in', () => {
    const earlier = timeOrderedUuid(1_700_000_000_000);
    const later = timeOrderedUuid(1_700_000_000_001);
    for (const id of [earlier, later])
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(earlier < later).toBe(true);
    expect(timeOrderedUuid(1_700_000_000_000)).not.toBe(earlier);
  });
});

describe('queue schema upgrade', () => {
  it('keeps every job and finished attempt of a version-1 database, and runs its waiting jobs', async () => {
    const dir = makeTempDir('quire-queue-upgrade-');
    const db = openDatabase(`${dir.path}/quire.db`);
    migrate(db, 'queue', QUEUE_MIGRATIONS.slice(0, 1));
    const insertJob = db.prepare(
      `INSERT INTO queue_jobs (id, queue, type, payload, state, attempts, max_attempts, available_at, created_at, updated_at, worker)
       VALUES (?, 'io', 'noop', ?, ?, ?, 4, 0, 0, 0, ?)`,
    );
    insertJob.run('done-1', '{"n":1}', 'completed', 1, 'old-worker');
    insertJob.run('wait-2', '{"n":2}', 'retrying', 1, null);
    insertJob.run('lost-3', '{"n":3}', 'active', 1, 'old-worker');
    const insertAttempt = db.prepare(
      `INSERT INTO queue_attempts (job_id, attempt, worker, started_at, finished_at, outcome, error_class, error)
       VALUES (?, 1, 'old-worker', 0, ?, ?, ?, ?)`,
    );
    insertAttempt.run('done-1', 5, 'completed', null, null);
    insertAttempt.run('wait-2', 5, 'retrying', 'transient', 'ECONNRESET');
    insertAttempt.run('lost-3', null, 'running', null, null);

    const store = new SqliteQueueStore(db);
    expect(store.list({}).total).toBe(3);
    expect(store.attempts('done-1')).toMatchObject([{ outcome: 'completed' }]);
    expect(store.attempts('wait-2')).toMatchObject([{ outcome: 'retrying', error: 'ECONNRESET' }]);
    // The old 'running' row became the active job itself: one attempt, not two.
    expect(store.attempts('lost-3')).toMatchObject([{ attempt: 1, outcome: 'running' }]);

    const ran: number[] = [];
    const clock = new FakeClock();
    let completed = 0;
    let allDone!: () => void;
    const done = new Promise<void>((resolve) => (allDone = resolve));
    const queue = new JobQueue(store, clock, silentLogger(), (job) => {
      if (job.state === 'completed' && ++completed === 2) allDone();
    });
    queue.register('noop', { schema: Payload, queue: 'io', handler: async ({ n }) => void ran.push(n) });
    queue.start();
    await done;
    expect(ran.sort()).toEqual([2, 3]);
    expect(store.attempts('lost-3').map((a) => a.outcome)).toEqual(['lost', 'completed']);
    await queue.stop();
    db.close();
    dir.cleanup();
  });
});
