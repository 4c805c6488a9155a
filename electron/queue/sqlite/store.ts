import { randomUUID } from 'node:crypto';
import { migrate, type Db } from '../../storage/index';
import {
  JOB_COLUMNS_SQL,
  jobFromColumns,
  READY_STATES_SQL as READY,
  toJob,
  type JobRecord,
  type JobRow,
  type NewJob,
} from './job-record';
import { QUEUE_MIGRATIONS } from './migrations';
import { QueueReads } from './reads';

export type { AttemptRecord, JobFilter, JobRecord, JobState, NewJob } from './job-record';

/**
 * A UUIDv7 (RFC 9562): the first 48 bits are the time in milliseconds, so ids made one after
 * another sort together. The random bits come from randomUUID, which draws from a cached
 * entropy pool; a generator calling getRandomValues per id cost 2.5% of the queue benchmark.
 */
export function timeOrderedUuid(now = Date.now()): string {
  const ms = now.toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

export interface AckRequest {
  id: string;
  token: string;
  result: unknown;
}

/**
 * The queue's transitions: the only place that writes queue SQL. Each public method is one
 * atomic step (a single statement or one BEGIN IMMEDIATE transaction), so a crash leaves every
 * job in exactly one state. `atomically` lets the worker commit many steps at once (group
 * commit): acknowledgements of finished jobs and the leases of the next ones share one commit.
 */
export class SqliteQueueStore extends QueueReads {
  // One wrapper for every transaction: better-sqlite3 builds several functions per wrapper.
  private readonly transaction;

  constructor(db: Db) {
    super(db);
    migrate(db, 'queue', QUEUE_MIGRATIONS);
    this.transaction = db.transaction((work: () => unknown) => work());
  }

  /** Runs `work` in one BEGIN IMMEDIATE transaction (a savepoint when one is already open). */
  atomically<T>(work: () => T): T {
    return this.transaction.immediate(work) as T;
  }

  /** Inserts a job; with an idempotency key already used, returns the existing job instead. */
  insert(job: NewJob, now: number): { job: JobRecord; created: boolean } {
    // Ids are time-ordered (UUIDv7) so new rows append to the primary-key index: random ids
    // touched a different index page per job, and each commit wrote every one of those pages.
    const record: JobRecord = {
      id: timeOrderedUuid(),
      queue: job.queue,
      type: job.type,
      payload: job.payload,
      priority: job.priority ?? 0,
      state: job.availableAt > now ? 'delayed' : 'waiting',
      attempts: 0,
      maxAttempts: job.maxAttempts,
      availableAt: job.availableAt,
      leaseToken: null,
      leaseExpiresAt: null,
      worker: null,
      idempotencyKey: job.idempotencyKey ?? null,
      workflowId: job.workflowId ?? null,
      batchId: job.batchId ?? null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    };
    const json = JSON.stringify(job.payload);
    record.payload = JSON.parse(json); // exactly what a later read returns
    // One statement, so no explicit transaction: the key's UNIQUE index settles races.
    const { changes } = this.sql(
      `INSERT INTO queue_jobs (id, queue, type, payload, priority, state, max_attempts, available_at, idempotency_key,
         workflow_id, batch_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
    ).run(
      record.id,
      record.queue,
      record.type,
      json,
      record.priority,
      record.state,
      record.maxAttempts,
      record.availableAt,
      record.idempotencyKey,
      record.workflowId,
      record.batchId,
      now,
      now,
    );
    if (changes === 1) return { job: record, created: true };
    const existing = this.sql('SELECT * FROM queue_jobs WHERE idempotency_key = ?').get(
      job.idempotencyKey,
    ) as JobRow | undefined;
    if (!existing)
      throw new Error(`job with idempotency key ${job.idempotencyKey} vanished while enqueueing`);
    return { job: toJob(existing), created: false };
  }

  /**
   * Leases the next ready job of a queue (highest priority, then oldest) to a worker until
   * `now + visibilityMs`, recording the attempt. Null when nothing is ready or the queue is paused.
   */
  lease(queue: string, worker: string, now: number, visibilityMs: number): JobRecord | null {
    return this.leaseUpTo(queue, worker, now, visibilityMs, 1)[0] ?? null;
  }

  /** Leases up to `max` ready jobs in one transaction: one per free worker slot (prefetch 1 each). */
  leaseUpTo(queue: string, worker: string, now: number, visibilityMs: number, max: number): JobRecord[] {
    return this.atomically(() => this.leaseInTransaction(queue, worker, now, visibilityMs, max));
  }

  /** The lease step without its own transaction, for callers that group it with acks. */
  leaseInTransaction(
    queue: string,
    worker: string,
    now: number,
    visibilityMs: number,
    max: number,
  ): JobRecord[] {
    if (max <= 0 || this.isPaused(queue)) return [];
    // The limit is written into the SQL, not bound: SQLite re-prepares a statement whose LIMIT
    // is a parameter on every run (measured: 30 µs instead of 3). There are only as many
    // variants as the largest concurrency, each compiled once.
    const limit = Math.floor(max);
    // Rows come back as arrays and the update has no RETURNING: building result objects
    // column by column cost more than the update itself (measured: 17 µs a job against 8).
    const rows = this.rawSql(
      `SELECT ${JOB_COLUMNS_SQL} FROM queue_jobs WHERE queue = ? AND ${READY} AND available_at <= ?
       ORDER BY priority DESC, available_at, created_at LIMIT ${limit}`,
    ).all(queue, now) as unknown[][];
    const take = this.sql(
      `UPDATE queue_jobs SET state = 'active', attempts = attempts + 1, lease_token = ?, lease_expires_at = ?, worker = ?,
         updated_at = ? WHERE id = ?`,
    );
    return rows.map((values) => {
      const job = jobFromColumns(values);
      job.state = 'active';
      job.attempts += 1;
      job.leaseToken = randomUUID();
      job.leaseExpiresAt = now + visibilityMs;
      job.worker = worker;
      job.updatedAt = now;
      take.run(job.leaseToken, job.leaseExpiresAt, worker, now, job.id);
      return job;
    });
  }

  /** Heartbeat: extends the lease only if the caller still holds it. */
  extendLease(id: string, token: string, until: number): boolean {
    return (
      this.sql(
        `UPDATE queue_jobs SET lease_expires_at = ? WHERE id = ? AND lease_token = ? AND state = 'active'`,
      ).run(until, id, token).changes === 1
    );
  }

  /**
   * Acknowledges a finished job (acks-late). Fenced by the lease token: a worker whose lease
   * expired and was handed to another cannot ack. `andThen` runs in the same transaction
   * (workflow steps), so a crash never loses the next step or runs it twice.
   */
  ack(
    id: string,
    token: string,
    now: number,
    result: unknown,
    andThen?: (job: JobRecord) => void,
  ): JobRecord | null {
    return this.atomically(() => this.ackInTransaction({ id, token, result }, now, andThen));
  }

  /**
   * The ack step without its own transaction, for group commit. Null when the lease was lost.
   * Given the leased record, it builds the acknowledged one instead of reading it back.
   */
  ackInTransaction(
    request: AckRequest,
    now: number,
    andThen?: (job: JobRecord) => void,
    leased?: JobRecord,
  ): JobRecord | null {
    if (!this.recordAttempt(request.id, request.token, now, 'completed', null, null, null)) return null;
    this.sql(
      `UPDATE queue_jobs SET state = 'completed', acked = acked + 1, lease_token = NULL, lease_expires_at = NULL, result = ?,
         finished_at = ?, updated_at = ? WHERE id = ?`,
    ).run(JSON.stringify(request.result ?? null), now, now, request.id);
    const job: JobRecord = leased
      ? {
          ...leased,
          state: 'completed',
          leaseToken: null,
          leaseExpiresAt: null,
          finishedAt: now,
          updatedAt: now,
        }
      : this.get(request.id)!;
    andThen?.(job);
    return job;
  }

  /**
   * A failed attempt: back to the queue after `retryAt`, or quarantined; cancelled when the
   * error's class is `cancelled` (the job's work was withdrawn). Fenced like ack.
   */
  fail(
    id: string,
    token: string,
    now: number,
    error: { cls: string; message: string; stack: string | null },
    retryAt: number | null,
    andThen?: (job: JobRecord) => void,
  ): JobRecord | null {
    return this.atomically(() => {
      const state = error.cls === 'cancelled' ? 'cancelled' : retryAt === null ? 'quarantined' : 'retrying';
      if (!this.recordAttempt(id, token, now, state, error.cls, error.message, error.stack)) return null;
      const row = this.sql(
        `UPDATE queue_jobs SET state = ?, lease_token = NULL, lease_expires_at = NULL, available_at = COALESCE(?, available_at),
           last_error = ?, updated_at = ?, finished_at = CASE WHEN ? = 'retrying' THEN NULL ELSE ? END
         WHERE id = ? RETURNING *`,
      ).get(state, retryAt, error.message, now, state, now, id) as JobRow;
      const job = toJob(row);
      andThen?.(job);
      return job;
    });
  }

  /**
   * The job waits for a service it needs (WaitingForServiceError): back to the queue after
   * `availableAt` with the attempt given back, since the job itself did not fail. No attempt row
   * is written (an outage of an hour would write hundreds); the job's last error says what it
   * waits for. `delayed` unless an earlier attempt failed (then still `retrying`). Fenced like ack.
   */
  wait(id: string, token: string, now: number, message: string, availableAt: number): JobRecord | null {
    const row = this.sql(
      `UPDATE queue_jobs SET state = CASE WHEN attempts > 1 THEN 'retrying' ELSE 'delayed' END, attempts = attempts - 1,
         lease_token = NULL, lease_expires_at = NULL, available_at = ?, last_error = ?, updated_at = ?
       WHERE id = ? AND state = 'active' AND lease_token = ? RETURNING *`,
    ).get(availableAt, message, now, id, token) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /**
   * Reject-on-worker-lost: every active job whose lease ran out (or, at start-up, every active
   * job) goes back to waiting with that attempt recorded as lost; one that already used all
   * its attempts is quarantined instead, so a job that kills its worker cannot loop forever.
   */
  reclaim(now: number, everything: boolean): JobRecord[] {
    return this.atomically(() => {
      const rows = this.sql(
        `SELECT id, attempts, max_attempts FROM queue_jobs WHERE state = 'active' AND (? OR lease_expires_at <= ?)`,
      ).all(everything ? 1 : 0, now) as { id: string; attempts: number; max_attempts: number }[];
      const message = everything
        ? 'the worker was lost (station restarted)'
        : 'the lease expired (worker lost or stuck)';
      return rows.map((row) => {
        const state = row.attempts >= row.max_attempts ? 'quarantined' : 'waiting';
        this.recordAttempt(row.id, null, now, 'lost', 'transient', message, null);
        const updated = this.sql(
          `UPDATE queue_jobs SET state = ?, lease_token = NULL, lease_expires_at = NULL, last_error = ?, updated_at = ?,
           finished_at = CASE WHEN ? = 'quarantined' THEN ? ELSE NULL END WHERE id = ? RETURNING *`,
        ).get(state, message, now, state, now, row.id) as JobRow;
        return toJob(updated);
      });
    });
  }

  /**
   * Writes the attempt that is ending, read from the still-active job (its attempt number,
   * worker, and lease time in updated_at), before the job moves on. An attempt gets its row
   * when it ends: a running attempt is the active job itself. With a token, only the worker
   * holding the lease can end it; false when it no longer does.
   */
  private recordAttempt(
    id: string,
    token: string | null,
    now: number,
    outcome: string,
    cls: string | null,
    error: string | null,
    stack: string | null,
  ): boolean {
    const columns = `INSERT INTO queue_attempts (job_id, attempt, worker, started_at, finished_at, outcome, error_class, error, stack)
       SELECT id, attempts, worker, updated_at, ?, ?, ?, ?, ? FROM queue_jobs WHERE id = ? AND state = 'active'`;
    const { changes } = token
      ? this.sql(`${columns} AND lease_token = ?`).run(now, outcome, cls, error, stack, id, token)
      : this.sql(columns).run(now, outcome, cls, error, stack, id);
    return changes === 1;
  }

  /** Operator actions: each only from the states where it makes sense. */
  retry(id: string, now: number): JobRecord | null {
    const row = this.sql(
      `UPDATE queue_jobs SET state = 'waiting', available_at = ?, max_attempts = MAX(max_attempts, attempts + 1), updated_at = ?,
         finished_at = NULL WHERE id = ? AND state IN ('quarantined','cancelled','retrying','delayed') RETURNING *`,
    ).get(now, now, id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** Every quarantined job of a queue back to waiting, in one transaction; returns them. */
  retryAllQuarantined(queue: string, now: number): JobRecord[] {
    return this.atomically(() =>
      (
        this.sql(`SELECT id FROM queue_jobs WHERE queue = ? AND state = 'quarantined'`).all(queue) as {
          id: string;
        }[]
      )
        .map((r) => this.retry(r.id, now))
        .filter((job): job is JobRecord => job !== null),
    );
  }

  cancel(id: string, now: number): JobRecord | null {
    const row = this.sql(
      `UPDATE queue_jobs SET state = 'cancelled', updated_at = ?, finished_at = ? WHERE id = ? AND ${READY} RETURNING *`,
    ).get(now, now, id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  promote(id: string, now: number): JobRecord | null {
    const row = this.sql(
      `UPDATE queue_jobs SET state = 'waiting', available_at = ?, updated_at = ? WHERE id = ? AND state IN ('delayed','retrying')
       RETURNING *`,
    ).get(now, now, id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  remove(id: string): boolean {
    return this.atomically(() => {
      const job = this.get(id);
      if (!job || job.state === 'active') return false;
      this.sql('DELETE FROM queue_attempts WHERE job_id = ?').run(id);
      return this.sql('DELETE FROM queue_jobs WHERE id = ?').run(id).changes === 1;
    });
  }

  setPaused(queue: string, paused: boolean): void {
    if (paused) this.sql('INSERT OR IGNORE INTO queue_paused (queue) VALUES (?)').run(queue);
    else this.sql('DELETE FROM queue_paused WHERE queue = ?').run(queue);
  }
}

export type QueueStore = SqliteQueueStore;
