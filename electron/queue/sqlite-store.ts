import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { migrate, type Db } from '../storage/index';
import { QUEUE_MIGRATIONS } from './migrations';

export type JobState =
  'waiting' | 'delayed' | 'active' | 'completed' | 'retrying' | 'quarantined' | 'cancelled';

export interface JobRecord {
  id: string;
  queue: string;
  type: string;
  payload: unknown;
  priority: number;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  availableAt: number;
  leaseToken: string | null;
  leaseExpiresAt: number | null;
  worker: string | null;
  idempotencyKey: string | null;
  workflowId: string | null;
  batchId: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface AttemptRecord {
  attempt: number;
  worker: string | null;
  startedAt: number;
  finishedAt: number | null;
  outcome: 'running' | 'completed' | 'retrying' | 'quarantined' | 'lost' | 'cancelled';
  errorClass: string | null;
  error: string | null;
  stack: string | null;
}

export interface NewJob {
  queue: string;
  type: string;
  payload: unknown;
  priority?: number;
  maxAttempts: number;
  availableAt: number;
  idempotencyKey?: string | null;
  workflowId?: string | null;
  batchId?: string | null;
}

interface JobRow {
  id: string;
  queue: string;
  type: string;
  payload: string;
  priority: number;
  state: JobState;
  attempts: number;
  max_attempts: number;
  available_at: number;
  lease_token: string | null;
  lease_expires_at: number | null;
  worker: string | null;
  idempotency_key: string | null;
  workflow_id: string | null;
  batch_id: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

const toJob = (r: JobRow): JobRecord => ({
  id: r.id,
  queue: r.queue,
  type: r.type,
  payload: JSON.parse(r.payload),
  priority: r.priority,
  state: r.state,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  availableAt: r.available_at,
  leaseToken: r.lease_token,
  leaseExpiresAt: r.lease_expires_at,
  worker: r.worker,
  idempotencyKey: r.idempotency_key,
  workflowId: r.workflow_id,
  batchId: r.batch_id,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

export interface JobFilter {
  state?: JobState;
  queue?: string;
  type?: string;
  batchId?: string;
  text?: string;
  offset?: number;
  limit?: number;
}

/**
 * The only place with queue SQL. Each method is one atomic transition: a single statement or
 * one BEGIN IMMEDIATE transaction, so a crash leaves every job in exactly one state.
 */
export class SqliteQueueStore {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Db) {
    migrate(db, 'queue', QUEUE_MIGRATIONS);
  }

  /** Statements are compiled once: preparing SQL costs more than running these small queries. */
  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Inserts a job; with an idempotency key already used, returns the existing job instead. */
  insert(job: NewJob, now: number): { job: JobRecord; created: boolean } {
    return this.db
      .transaction(() => {
        if (job.idempotencyKey) {
          const existing = this.db
            .prepare('SELECT * FROM queue_jobs WHERE idempotency_key = ?')
            .get(job.idempotencyKey) as JobRow | undefined;
          if (existing) return { job: toJob(existing), created: false };
        }
        const id = randomUUID();
        this.sql(
          `INSERT INTO queue_jobs (id, queue, type, payload, priority, state, max_attempts, available_at, idempotency_key,
             workflow_id, batch_id, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          job.queue,
          job.type,
          JSON.stringify(job.payload),
          job.priority ?? 0,
          job.availableAt > now ? 'delayed' : 'waiting',
          job.maxAttempts,
          job.availableAt,
          job.idempotencyKey ?? null,
          job.workflowId ?? null,
          job.batchId ?? null,
          now,
          now,
        );
        return { job: this.get(id)!, created: true };
      })
      .immediate();
  }

  get(id: string): JobRecord | null {
    const row = this.sql('SELECT * FROM queue_jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /**
   * Leases the next ready job of a queue (highest priority, then oldest) to a worker until
   * `now + visibilityMs`, recording the attempt. Null when nothing is ready or the queue is paused.
   */
  lease(queue: string, worker: string, now: number, visibilityMs: number): JobRecord | null {
    return this.db
      .transaction(() => {
        if (this.sql('SELECT 1 FROM queue_paused WHERE queue = ?').get(queue)) return null;
        const row = this.sql(
          `SELECT id FROM queue_jobs WHERE queue = ? AND state IN ('waiting','delayed','retrying') AND available_at <= ?
           ORDER BY priority DESC, available_at, created_at LIMIT 1`,
        ).get(queue, now) as { id: string } | undefined;
        if (!row) return null;
        const token = randomUUID();
        this.sql(
          `UPDATE queue_jobs SET state = 'active', attempts = attempts + 1, lease_token = ?, lease_expires_at = ?, worker = ?, updated_at = ?
           WHERE id = ?`,
        ).run(token, now + visibilityMs, worker, now, row.id);
        const job = this.get(row.id)!;
        this.sql(
          `INSERT INTO queue_attempts (job_id, attempt, worker, started_at, outcome) VALUES (?, ?, ?, ?, 'running')`,
        ).run(job.id, job.attempts, worker, now);
        return job;
      })
      .immediate();
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
    return this.db
      .transaction(() => {
        const changed = this.sql(
          `UPDATE queue_jobs SET state = 'completed', acked = acked + 1, lease_token = NULL, lease_expires_at = NULL, result = ?,
             finished_at = ?, updated_at = ? WHERE id = ? AND lease_token = ? AND state = 'active'`,
        ).run(JSON.stringify(result ?? null), now, now, id, token).changes;
        if (changed !== 1) return null;
        this.finishAttempt(id, now, 'completed', null, null, null);
        const job = this.get(id)!;
        andThen?.(job);
        return job;
      })
      .immediate();
  }

  /** A failed attempt: back to the queue after `retryAt`, or quarantined. Fenced like ack. */
  fail(
    id: string,
    token: string,
    now: number,
    error: { cls: string; message: string; stack: string | null },
    retryAt: number | null,
    andThen?: (job: JobRecord) => void,
  ): JobRecord | null {
    return this.db
      .transaction(() => {
        const state = retryAt === null ? 'quarantined' : 'retrying';
        const changed = this.sql(
          `UPDATE queue_jobs SET state = ?, lease_token = NULL, lease_expires_at = NULL, available_at = COALESCE(?, available_at),
             last_error = ?, updated_at = ?, finished_at = CASE WHEN ? = 'quarantined' THEN ? ELSE NULL END
           WHERE id = ? AND lease_token = ? AND state = 'active'`,
        ).run(state, retryAt, error.message, now, state, now, id, token).changes;
        if (changed !== 1) return null;
        this.finishAttempt(id, now, state, error.cls, error.message, error.stack);
        const job = this.get(id)!;
        andThen?.(job);
        return job;
      })
      .immediate();
  }

  /**
   * Reject-on-worker-lost: every active job whose lease ran out (or, at start-up, every active
   * job) goes back to waiting with that attempt recorded as lost; one that already used all
   * its attempts is quarantined instead, so a job that kills its worker cannot loop forever.
   */
  reclaim(now: number, everything: boolean): JobRecord[] {
    return this.db
      .transaction(() => {
        const rows = this.sql(
          `SELECT * FROM queue_jobs WHERE state = 'active' AND (? OR lease_expires_at <= ?)`,
        ).all(everything ? 1 : 0, now) as JobRow[];
        const reclaimed: JobRecord[] = [];
        for (const row of rows) {
          const exhausted = row.attempts >= row.max_attempts;
          const message = everything
            ? 'the worker was lost (station restarted)'
            : 'the lease expired (worker lost or stuck)';
          this.db
            .prepare(
              `UPDATE queue_jobs SET state = ?, lease_token = NULL, lease_expires_at = NULL, last_error = ?, updated_at = ?,
               finished_at = CASE WHEN ? = 'quarantined' THEN ? ELSE NULL END WHERE id = ?`,
            )
            .run(
              exhausted ? 'quarantined' : 'waiting',
              message,
              now,
              exhausted ? 'quarantined' : 'waiting',
              now,
              row.id,
            );
          this.finishAttempt(row.id, now, 'lost', 'transient', message, null);
          reclaimed.push(this.get(row.id)!);
        }
        return reclaimed;
      })
      .immediate();
  }

  private finishAttempt(
    id: string,
    now: number,
    outcome: string,
    cls: string | null,
    error: string | null,
    stack: string | null,
  ): void {
    this.db
      .prepare(
        `UPDATE queue_attempts SET finished_at = ?, outcome = ?, error_class = ?, error = ?, stack = ?
         WHERE id = (SELECT MAX(id) FROM queue_attempts WHERE job_id = ?) AND outcome = 'running'`,
      )
      .run(now, outcome, cls, error, stack, id);
  }

  attempts(id: string): AttemptRecord[] {
    return (
      this.sql('SELECT * FROM queue_attempts WHERE job_id = ? ORDER BY id').all(id) as {
        attempt: number;
        worker: string | null;
        started_at: number;
        finished_at: number | null;
        outcome: AttemptRecord['outcome'];
        error_class: string | null;
        error: string | null;
        stack: string | null;
      }[]
    ).map((a) => ({
      attempt: a.attempt,
      worker: a.worker,
      startedAt: a.started_at,
      finishedAt: a.finished_at,
      outcome: a.outcome,
      errorClass: a.error_class,
      error: a.error,
      stack: a.stack,
    }));
  }

  /** Operator actions: each only from the states where it makes sense. */
  retry(id: string, now: number): JobRecord | null {
    const changed = this.db
      .prepare(
        `UPDATE queue_jobs SET state = 'waiting', available_at = ?, max_attempts = MAX(max_attempts, attempts + 1), updated_at = ?, finished_at = NULL
         WHERE id = ? AND state IN ('quarantined','cancelled','retrying','delayed')`,
      )
      .run(now, now, id).changes;
    return changed ? this.get(id) : null;
  }

  /** Every quarantined job of a queue back to waiting, in one transaction; returns them. */
  retryAllQuarantined(queue: string, now: number): JobRecord[] {
    return this.db
      .transaction(() => {
        const ids = (
          this.sql(`SELECT id FROM queue_jobs WHERE queue = ? AND state = 'quarantined'`).all(queue) as {
            id: string;
          }[]
        ).map((r) => r.id);
        return ids.flatMap((id) => {
          const job = this.retry(id, now);
          return job ? [job] : [];
        });
      })
      .immediate();
  }

  cancel(id: string, now: number): JobRecord | null {
    const changed = this.db
      .prepare(
        `UPDATE queue_jobs SET state = 'cancelled', updated_at = ?, finished_at = ? WHERE id = ? AND state IN ('waiting','delayed','retrying')`,
      )
      .run(now, now, id).changes;
    return changed ? this.get(id) : null;
  }

  promote(id: string, now: number): JobRecord | null {
    const changed = this.db
      .prepare(
        `UPDATE queue_jobs SET state = 'waiting', available_at = ?, updated_at = ? WHERE id = ? AND state IN ('delayed','retrying')`,
      )
      .run(now, now, id).changes;
    return changed ? this.get(id) : null;
  }

  remove(id: string): boolean {
    return this.db
      .transaction(() => {
        const job = this.get(id);
        if (!job || job.state === 'active') return false;
        this.sql('DELETE FROM queue_attempts WHERE job_id = ?').run(id);
        return this.sql('DELETE FROM queue_jobs WHERE id = ?').run(id).changes === 1;
      })
      .immediate();
  }

  setPaused(queue: string, paused: boolean): void {
    if (paused) this.sql('INSERT OR IGNORE INTO queue_paused (queue) VALUES (?)').run(queue);
    else this.sql('DELETE FROM queue_paused WHERE queue = ?').run(queue);
  }

  pausedQueues(): string[] {
    return (this.sql('SELECT queue FROM queue_paused').all() as { queue: string }[]).map((r) => r.queue);
  }

  /** The earliest time a waiting job of the queue becomes ready (for the worker's timer). */
  nextAvailableAt(queue: string): number | null {
    const row = this.db
      .prepare(
        `SELECT MIN(available_at) AS t FROM queue_jobs WHERE queue = ? AND state IN ('waiting','delayed','retrying')`,
      )
      .get(queue) as { t: number | null };
    return row.t;
  }

  list(filter: JobFilter): { total: number; items: JobRecord[] } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.state) {
      where.push('state = ?');
      params.push(filter.state);
    }
    if (filter.queue) {
      where.push('queue = ?');
      params.push(filter.queue);
    }
    if (filter.type) {
      where.push('type = ?');
      params.push(filter.type);
    }
    if (filter.batchId) {
      where.push('batch_id = ?');
      params.push(filter.batchId);
    }
    if (filter.text) {
      where.push(`(payload LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')`);
      const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(like, like);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.sql(`SELECT COUNT(*) AS n FROM queue_jobs ${clause}`).get(...params) as { n: number })
      .n;
    const rows = this.db
      .prepare(`SELECT * FROM queue_jobs ${clause} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
      .all(...params, filter.limit ?? 100, filter.offset ?? 0) as JobRow[];
    return { total, items: rows.map(toJob) };
  }

  counts(): Record<string, Record<string, number>> {
    const rows = this.db
      .prepare('SELECT queue, state, COUNT(*) AS n FROM queue_jobs GROUP BY queue, state')
      .all() as {
      queue: string;
      state: string;
      n: number;
    }[];
    const out: Record<string, Record<string, number>> = {};
    for (const r of rows) (out[r.queue] ??= {})[r.state] = r.n;
    return out;
  }

  /** Completed jobs and mean latency (enqueue to finish) per queue since `since`. */
  metrics(since: number): { queue: string; completed: number; meanLatencyMs: number | null }[] {
    return (
      this.sql(
        `SELECT queue, COUNT(*) AS completed, AVG(finished_at - created_at) AS latency FROM queue_jobs
           WHERE state = 'completed' AND finished_at >= ? GROUP BY queue`,
      ).all(since) as { queue: string; completed: number; latency: number | null }[]
    ).map((r) => ({
      queue: r.queue,
      completed: r.completed,
      meanLatencyMs: r.latency === null ? null : Math.round(r.latency),
    }));
  }

  /** How many times each job was acknowledged (the crash test's exactly-once check). */
  ackCounts(): Map<string, number> {
    const rows = this.sql('SELECT id, acked FROM queue_jobs').all() as { id: string; acked: number }[];
    return new Map(rows.map((r) => [r.id, r.acked]));
  }
}

export type QueueStore = SqliteQueueStore;
