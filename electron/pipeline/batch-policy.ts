import type { BatchStage, Role } from '../../shared/contract/index';
import { conflict, forbidden, notFound, type StationError } from '../core/station-error';

/**
 * Who may do what to a batch in which stage. The console's handlers and the CLI reach the
 * pipeline through the same functions, and those ask here first, so no transport can hold a
 * rule of its own (or skip one). Each rule is a pure function: the refusal it returns names
 * the batch, its stage and what to do instead; null means the action is allowed.
 */

/** The person acting: a signed-in account, or the CLI's local actor. */
export interface Actor {
  username: string;
  role: Role;
}

/** A batch as far as the rules need to know it. */
export interface BatchState {
  id: string;
  stage: BatchStage;
}

/** Stages a batch never leaves: no step runs again, nothing is retried or cancelled. */
export const FINISHED_STAGES: ReadonlySet<BatchStage> = new Set<BatchStage>([
  'completed',
  'rejected',
  'cancelled',
]);

export const isFinished = (stage: BatchStage): boolean => FINISHED_STAGES.has(stage);

/**
 * Cancelling ends a batch for good. A quarantined batch waits for a supervisor's decision, so
 * only a supervisor may end it; an operator asks one (who may also reject it in the review).
 */
export function cancelRefusal(batchId: string, batch: BatchState | null, actor: Actor): StationError | null {
  if (!batch) return notFound(`batch ${batchId}`);
  if (isFinished(batch.stage))
    return conflict(`batch ${batch.id} is already ${batch.stage}; nothing to cancel`);
  if (batch.stage === 'quarantined' && actor.role !== 'supervisor')
    return forbidden(
      `batch ${batch.id} is in quarantine: only a supervisor may end it (reject it in the quarantine review)`,
    );
  return null;
}

/** A job as far as the retry rule needs to know it. */
export interface JobState {
  id: string;
  /** The state of the workflow the job is a step of ('running', 'completed', 'failed'), if any. */
  workflow: string | null;
}

/**
 * Retrying a job of a batch runs that batch's step for real, so it is allowed only while the
 * batch is still under way. A finished batch never runs again; a quarantined one goes on only
 * by a supervisor's decision (release or requeue), whoever asks for the retry. A step of a
 * workflow that has ended (the run a quarantine stopped; the batch went on with a new one)
 * would run alone, carry nothing on, and could set the batch back a stage.
 */
export function retryRefusal(batch: BatchState | null, job?: JobState): StationError | null {
  if (!batch) return null; // a job of no batch (catalog sync, say): the queue's own rules apply
  if (isFinished(batch.stage))
    return conflict(
      `batch ${batch.id} is ${batch.stage}: a finished batch is not run again; import its manifest as a new batch`,
    );
  if (batch.stage === 'quarantined')
    return conflict(
      `batch ${batch.id} is in quarantine: a supervisor decides there (release, requeue or reject)`,
    );
  if (job?.workflow && job.workflow !== 'running')
    return conflict(
      `job ${job.id} is a step of an earlier run of batch ${batch.id}, which has ended (${job.workflow}): run alone, it would not carry the batch on`,
    );
  return null;
}

/** Release, requeue and reject are a supervisor's decisions, on a quarantined batch only. */
export function decideRefusal(batchId: string, batch: BatchState | null, actor: Actor): StationError | null {
  if (!batch) return notFound(`batch ${batchId}`);
  if (actor.role !== 'supervisor')
    return forbidden(`only a supervisor decides on a quarantined batch; ${actor.username} is an operator`);
  if (batch.stage !== 'quarantined') return conflict(`batch ${batch.id} is ${batch.stage}, not quarantined`);
  return null;
}

/**
 * A decision for many batches at once is a supervisor's too, and covers whole batches only (a
 * recapture names pages of one batch). Each batch is then decided on its own, under decideRefusal.
 */
export function decideManyRefusal(batchIds: readonly string[], actor: Actor): StationError | null {
  if (actor.role !== 'supervisor')
    return forbidden(`only a supervisor decides on quarantined batches; ${actor.username} is an operator`);
  if (new Set(batchIds).size !== batchIds.length) return conflict('a batch is listed twice; list each once');
  return null;
}

/**
 * A scanner held after repeated capture failures (scanner-hold.ts) takes no new batch until a
 * person has looked at it and said so (devices.acknowledgeHold, audited).
 */
export function startRefusal(device: string, hold: { reason: string } | null): StationError | null {
  if (!hold) return null;
  return conflict(`no new batch starts on ${device}: ${hold.reason}. Mark it checked on its card first`);
}

/** Throws the refusal, if there is one. */
export function enforce(refusal: StationError | null): void {
  if (refusal) throw refusal;
}
