import { afterEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../electron/queue/sqlite/store';
import { Payload, queueHarness } from '../../helpers/queue-harness';

/**
 * SQLite's own "disk full": `PRAGMA max_page_count` caps the database at the pages it has, and
 * filler rows use up the room left on the attempts table's last page, so the next attempt row
 * a reclaim writes fails with SQLITE_FULL exactly as on a full disk. Raising the cap is space
 * coming back. The fake clock runs timers inside advance(), so a timer that throws would throw
 * out of advance() here (and out of the event loop in a running station).
 */
function fillDatabase(h: ReturnType<typeof queueHarness>, jobId: string): () => void {
  const pages = h.db.pragma('page_count', { simple: true }) as number;
  h.db.pragma(`max_page_count = ${pages}`);
  const filler = h.db.prepare(
    `INSERT INTO queue_attempts (job_id, attempt, started_at, outcome) VALUES (?, 0, 0, 'filler')`,
  );
  try {
    for (;;) filler.run(jobId);
  } catch (error) {
    expect((error as { code?: string }).code).toBe('SQLITE_FULL');
  }
  return () => {
    h.db.pragma('max_page_count = 1073741823');
    h.db.prepare(`DELETE FROM queue_attempts WHERE outcome = 'filler'`).run();
  };
}

describe('the queue on a full database', () => {
  let h: ReturnType<typeof queueHarness>;
  afterEach(async () => h?.close());

  it('a reclaim that hits SQLITE_FULL is logged and tried again, never thrown from its timer', async () => {
    h = queueHarness({ visibilityMs: 1_000 });
    const ran: number[] = [];
    h.queue.register('noop', { schema: Payload, queue: 'io', handler: async ({ n }) => void ran.push(n) });
    h.queue.start();
    // A job leased by a worker that was then lost: its lease runs out after a second.
    const { job } = h.store.insert(
      { queue: 'io', type: 'noop', payload: { n: 7 }, maxAttempts: 3, availableAt: 0 },
      0,
    );
    h.store.lease('io', 'lost-worker', h.clock.now(), 1_000);
    const release = fillDatabase(h, job.id);
    expect(() => h.store.reclaim(h.clock.now() + 1_000, false)).toThrow(/database or disk is full/);

    expect(() => h.clock.advance(5_000)).not.toThrow();
    expect(h.store.get(job.id)).toMatchObject({ state: 'active', worker: 'lost-worker' });

    // Space returns: the next round reclaims the job, and it runs.
    release();
    const completed = h.when((j: JobRecord) => j.id === job.id && j.state === 'completed');
    h.clock.advance(1_000);
    await completed;
    expect(ran).toEqual([7]);
    expect(h.store.attempts(job.id).map((a) => a.outcome)).toEqual(['lost', 'completed']);
  });

  it('a lease or heartbeat that hits SQLITE_FULL is retried later, never thrown from its timer', async () => {
    // Heartbeats every 3.3 s, reclaim every 5 s: the lease (10 s) outlives the full spell.
    h = queueHarness({ visibilityMs: 10_000 });
    let finish!: () => void;
    let runs = 0;
    const started = new Promise<void>((resolve) =>
      h.queue.register('slow', {
        schema: Payload,
        queue: 'io',
        handler: () => {
          runs += 1;
          resolve();
          return new Promise<void>((done) => (finish = done));
        },
      }),
    );
    h.queue.register('noop', { schema: Payload, queue: 'compute', handler: async () => undefined });
    h.queue.start();
    const slow = h.queue.enqueue('slow', { n: 1 });
    await started;
    const later = h.queue.enqueue('noop', { n: 2 }, { delayMs: 500 });
    // Which row a full database refuses depends on where SQLite finds room; the error itself is
    // SQLite's own, taken from a database that really is full, and given to the two writes that
    // run in timers: the heartbeat's lease renewal and the delayed job's lease.
    const full = sqliteFullError(h, slow.id);
    let diskFull = true;
    for (const method of ['extendLease', 'leaseUpTo'] as const) {
      const real = h.store[method].bind(h.store) as (...args: unknown[]) => never;
      (h.store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        if (diskFull) throw full;
        return real(...args);
      };
    }
    expect(() => h.clock.advance(4_000)).not.toThrow();
    expect(h.store.get(later.id)).toMatchObject({ state: 'delayed' });

    diskFull = false;
    const bothDone = Promise.all([
      h.when((j: JobRecord) => j.id === later.id && j.state === 'completed'),
      h.when((j: JobRecord) => j.id === slow.id && j.state === 'completed'),
    ]);
    h.clock.advance(5_000);
    finish();
    await bothDone;
    expect(runs).toBe(1);
  });
});

/** The error better-sqlite3 raises on a full database, from a real one (then given room again). */
function sqliteFullError(h: ReturnType<typeof queueHarness>, jobId: string): Error {
  const release = fillDatabase(h, jobId);
  try {
    h.db
      .prepare(`INSERT INTO queue_attempts (job_id, attempt, started_at, outcome) VALUES (?, 0, 0, 'x')`)
      .run(jobId);
  } catch (error) {
    expect(error).toMatchObject({ code: 'SQLITE_FULL', message: 'database or disk is full' });
    return error as Error;
  } finally {
    release();
  }
  throw new Error('the database did not fill up');
}
