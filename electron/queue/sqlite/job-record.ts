import type { JobRecord, JobState } from '../queue';

export type { AttemptRecord, JobFilter, JobRecord, JobState } from '../queue';

/**
 * The states a job can be leased from, spelled exactly as the partial index `queue_jobs_next`
 * spells them: SQLite uses that index only for queries that repeat its condition word for word.
 */
export const READY_STATES_SQL = `(state = 'waiting' OR state = 'delayed' OR state = 'retrying')`;

/** A job about to be inserted, and below, the SQLite row shape of the queue's records. */
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

export interface JobRow {
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

export const toJob = (r: JobRow): JobRecord => ({
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

/** The columns of a JobRecord in a fixed order, for statements that return rows as arrays. */
const JOB_COLUMNS = [
  'id',
  'queue',
  'type',
  'payload',
  'priority',
  'state',
  'attempts',
  'max_attempts',
  'available_at',
  'lease_token',
  'lease_expires_at',
  'worker',
  'idempotency_key',
  'workflow_id',
  'batch_id',
  'last_error',
  'created_at',
  'updated_at',
  'finished_at',
] as const satisfies readonly (keyof JobRow)[];

export const JOB_COLUMNS_SQL = JOB_COLUMNS.join(', ');

/** A row selected as `SELECT ${JOB_COLUMNS_SQL}` in array mode. */
export function jobFromColumns(v: unknown[]): JobRecord {
  return {
    id: v[0] as string,
    queue: v[1] as string,
    type: v[2] as string,
    payload: JSON.parse(v[3] as string),
    priority: v[4] as number,
    state: v[5] as JobState,
    attempts: v[6] as number,
    maxAttempts: v[7] as number,
    availableAt: v[8] as number,
    leaseToken: v[9] as string | null,
    leaseExpiresAt: v[10] as number | null,
    worker: v[11] as string | null,
    idempotencyKey: v[12] as string | null,
    workflowId: v[13] as string | null,
    batchId: v[14] as string | null,
    lastError: v[15] as string | null,
    createdAt: v[16] as number,
    updatedAt: v[17] as number,
    finishedAt: v[18] as number | null,
  };
}
