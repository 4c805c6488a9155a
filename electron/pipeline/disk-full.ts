import type { BatchStage } from '../../shared/contract/index';
import type { Logger } from '../core/logger';
import { FatalError, TransientError } from '../queue/errors';
import { diskFullMessage, isDiskFull } from '../storage/index';
import type { BatchStore } from './batches/batch-store';

/** What recording an attempt needs of the stages' dependencies (StageDeps has it all). */
interface AttemptDeps {
  store: Pick<BatchStore, 'finishAttempt' | 'summary' | 'setStage'>;
  core: { logger: Logger };
  touched: (batchId: string) => void;
}

/**
 * How a stage attempt that failed is recorded. A full disk (ENOSPC on a file, SQLITE_FULL on a
 * commit) that the stage did not judge itself is transient: the job is retried with backoff,
 * and both the attempt and the batch's last error say "disk full: …", so an operator sees why
 * the batch waits, and a quarantine after the last retry names the disk. Returns the error to
 * rethrow.
 */
export function stageAttemptFailed(
  deps: AttemptDeps,
  batchId: string,
  stage: BatchStage,
  attempt: number,
  error: unknown,
): unknown {
  // A FatalError is the stage's own verdict (it may have quarantined the batch already): kept.
  const diskFull = !(error instanceof FatalError) && isDiskFull(error);
  const thrown = diskFull ? new TransientError(diskFullMessage(error), { cause: error }) : error;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  try {
    deps.store.finishAttempt(attempt, thrown instanceof FatalError ? 'fatal' : 'transient', message);
    // Only while the batch is still in this stage: a cancel or quarantine meanwhile stays as it is.
    if (diskFull && deps.store.summary(batchId)?.stage === stage) {
      deps.store.setStage(batchId, stage, { lastError: message });
      deps.touched(batchId);
    }
  } catch (storeError) {
    // The database itself may be full: the queue still learns of the failure from the rethrow.
    deps.core.logger.error(
      { batchId, stage, err: (storeError as Error).message, stageError: message },
      'could not record a failed stage attempt',
    );
  }
  return thrown;
}

/** What a batch's last error says while a stage waits, which a success of that stage clears. */
const PASSING_ERRORS = ['disk full:', 'waiting for '];

/**
 * A stage attempt succeeded: a "disk full" left by an earlier attempt, or a wait for a service,
 * no longer applies.
 */
export function stageAttemptSucceeded(deps: AttemptDeps, batchId: string, stage: BatchStage): void {
  const summary = deps.store.summary(batchId);
  const last = summary?.lastError;
  if (summary?.stage === stage && last && PASSING_ERRORS.some((p) => last.startsWith(p))) {
    deps.store.setStage(batchId, stage, { lastError: null });
    deps.touched(batchId);
  }
}
