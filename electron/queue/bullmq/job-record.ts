import { createHash, randomUUID } from 'node:crypto';
import type { Job, JobState as BullState } from 'bullmq';
import type { AttemptRecord, JobRecord, JobState } from '../queue';

/** What Quire stores in a BullMQ job's data besides the payload. */
export interface JobData {
  payload: unknown;
  batchId: string | null;
  workflowId: string | null;
  idempotencyKey: string | null;
  /** Set by an operator's cancel while the job waited; a worker then ends it cancelled. */
  cancelledAt?: number;
  /** The service the job last waited for (WaitingForServiceError), and how many times it waited. */
  waitingFor?: string;
  waits?: number;
}

/**
 * The attempts a job started, its waits for a service left out: BullMQ counts every start
 * (attemptsStarted), a wait's too, and a failure only in attemptsMade; a lost attempt (the
 * worker died) shows only in the starts.
 */
export function attemptsStartedOf(job: Job): number {
  const waits = (job.data as JobData).waits ?? 0;
  return Math.max((job.attemptsStarted ?? 0) - waits, job.attemptsMade);
}

/** The number of the attempt that is running now. */
export function attemptNumber(job: Job): number {
  return Math.max(attemptsStartedOf(job), job.attemptsMade + 1);
}

/** Marks a failure that is a cancellation (BullMQ has no cancelled state). */
export const CANCELLED_PREFIX = '[cancelled] ';

/** BullMQ keys use ':' as separator, so a queue like `device:sim-1` is stored URI-encoded. */
export const toBullName = (queue: string) => encodeURIComponent(queue);
export const fromBullName = (name: string) => decodeURIComponent(name);

/**
 * Job ids carry their queue (`<queue>~<id>`) so that one id finds its job with one read. With an
 * idempotency key the id is derived from the key, and BullMQ's own dedup by id does the rest.
 */
export function newJobId(queue: string, idempotencyKey?: string | null): string {
  const own = idempotencyKey
    ? `k${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`
    : randomUUID();
  return `${toBullName(queue)}~${own}`;
}

export function queueOfJobId(id: string): string | null {
  const cut = id.indexOf('~');
  return cut > 0 ? fromBullName(id.slice(0, cut)) : null;
}

export function stateOf(job: Job, bull: BullState | 'unknown'): JobState {
  const data = job.data as JobData;
  switch (bull) {
    case 'active':
      return 'active';
    case 'completed':
      return 'completed';
    case 'failed':
      return data.cancelledAt || job.failedReason?.startsWith(CANCELLED_PREFIX) ? 'cancelled' : 'quarantined';
    case 'delayed':
      if (data.cancelledAt) return 'cancelled';
      return job.attemptsMade > 0 ? 'retrying' : 'delayed';
    default:
      return data.cancelledAt ? 'cancelled' : 'waiting';
  }
}

export function toJobRecord(job: Job, bull: BullState | 'unknown'): JobRecord {
  const data = job.data as JobData;
  const state = stateOf(job, bull);
  const finished = job.finishedOn ?? null;
  const reason = job.failedReason
    ? job.failedReason.replace(CANCELLED_PREFIX, '')
    : state === 'delayed' || state === 'waiting'
      ? (data.waitingFor ?? null)
      : null;
  return {
    id: job.id!,
    queue: fromBullName(job.queueName),
    type: job.name,
    payload: data.payload,
    priority: job.priority ?? 0,
    state,
    attempts: state === 'active' ? attemptNumber(job) : attemptsStartedOf(job),
    maxAttempts: job.opts.attempts ?? 1,
    availableAt: job.timestamp + (job.delay ?? 0),
    leaseToken: state === 'active' ? (job.token ?? null) : null,
    leaseExpiresAt: null,
    worker: job.processedBy ?? null,
    idempotencyKey: data.idempotencyKey,
    workflowId: data.workflowId,
    batchId: data.batchId,
    lastError: reason || null,
    createdAt: job.timestamp,
    updatedAt: finished ?? job.processedOn ?? job.timestamp,
    finishedAt: state === 'completed' || state === 'quarantined' || state === 'cancelled' ? finished : null,
  };
}

/** An attempt as the worker logs it (one JSON line in the job's log) when it ends in failure. */
export type LoggedAttempt = AttemptRecord;

/**
 * The attempt history: failed and lost attempts come from the job's log; the completed or
 * running one is read from the job itself, so a successful job costs no extra write.
 */
export function attemptsOf(job: Job, bull: BullState | 'unknown', logs: string[]): AttemptRecord[] {
  const logged = logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as AttemptRecord];
    } catch {
      return [];
    }
  });
  const last = logged.at(-1)?.attempt ?? 0;
  if (bull === 'completed')
    logged.push({
      attempt: last + 1,
      worker: job.processedBy ?? null,
      startedAt: job.processedOn ?? job.timestamp,
      finishedAt: job.finishedOn ?? null,
      outcome: 'completed',
      errorClass: null,
      error: null,
      stack: null,
    });
  if (bull === 'active')
    logged.push({
      attempt: last + 1,
      worker: job.processedBy ?? null,
      startedAt: job.processedOn ?? job.timestamp,
      finishedAt: null,
      outcome: 'running',
      errorClass: null,
      error: null,
      stack: null,
    });
  return logged;
}
