import type { Statement } from 'better-sqlite3';
import type { Db } from '../../storage/index';
import {
  READY_STATES_SQL,
  toJob,
  type AttemptRecord,
  type JobFilter,
  type JobRecord,
  type JobRow,
} from './job-record';

/**
 * The queue's read side: lookups, the console's list and counts, metrics. It owns the cache of
 * compiled statements that the transitions (SqliteQueueStore) share, because preparing SQL
 * costs more than running these small queries.
 */
export class QueueReads {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  /** A compiled statement that returns rows as arrays of column values. */
  protected rawSql(text: string): Statement {
    const key = `raw:${text}`;
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.db.prepare(text).raw(true);
      this.statements.set(key, statement);
    }
    return statement;
  }

  protected sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  get(id: string): JobRecord | null {
    const row = this.sql('SELECT * FROM queue_jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** A completed job's return value as its handler returned it (JSON); undefined if none was stored. */
  resultOf(id: string): unknown {
    const row = this.sql('SELECT result FROM queue_jobs WHERE id = ?').get(id) as
      { result: string | null } | undefined;
    return row?.result ? JSON.parse(row.result) : undefined;
  }

  /** Every attempt of a job, oldest first; the one running now is the active job itself. */
  attempts(id: string): AttemptRecord[] {
    const ended = (
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
    const job = this.get(id);
    if (job?.state !== 'active') return ended;
    const running: AttemptRecord = {
      attempt: job.attempts,
      worker: job.worker,
      startedAt: job.updatedAt,
      finishedAt: null,
      outcome: 'running',
      errorClass: null,
      error: null,
      stack: null,
    };
    return [...ended, running];
  }

  /** Queues that have jobs waiting to be leased (the workers to wake at start-up). */
  queuesWithReadyJobs(): string[] {
    return (
      this.sql(`SELECT DISTINCT queue FROM queue_jobs WHERE ${READY_STATES_SQL}`).all() as { queue: string }[]
    ).map((r) => r.queue);
  }

  pausedQueues(): string[] {
    return (this.sql('SELECT queue FROM queue_paused').all() as { queue: string }[]).map((r) => r.queue);
  }

  isPaused(queue: string): boolean {
    return this.sql('SELECT 1 FROM queue_paused WHERE queue = ?').get(queue) !== undefined;
  }

  /** The earliest time a waiting job of the queue becomes ready (for the worker's timer). */
  nextAvailableAt(queue: string): number | null {
    const row = this.sql(
      `SELECT MIN(available_at) AS t FROM queue_jobs WHERE queue = ? AND ${READY_STATES_SQL}`,
    ).get(queue) as { t: number | null };
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
    const rows = this.sql(
      `SELECT * FROM queue_jobs ${clause} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
    ).all(...params, filter.limit ?? 100, filter.offset ?? 0) as JobRow[];
    return { total, items: rows.map(toJob) };
  }

  counts(): Record<string, Record<string, number>> {
    const rows = this.sql(
      'SELECT queue, state, COUNT(*) AS n FROM queue_jobs GROUP BY queue, state',
    ).all() as {
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
