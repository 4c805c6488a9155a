import { FatalError, JobCancelledError, TransientError } from './errors';
import type { AwaitOptions, JobRecord, QueueBackend, StepSpec } from './queue';

/** How a job ended, as an engine reports it to runAndAwait. */
export interface JobOutcome {
  state: 'completed' | 'quarantined' | 'cancelled';
  /** The handler's return value (completed jobs only). */
  result: unknown;
  error: string | null;
}

/** What runAndAwait needs from an engine: its producer, its backend, and a wait for one job's end. */
export interface AwaitableEngine {
  enqueueMany(steps: StepSpec[]): Promise<JobRecord[]>;
  backend: Pick<QueueBackend, 'get' | 'attempts'>;
  /** Runs a quarantined job again (the operator's retry, with its events). */
  retry(id: string): Promise<unknown>;
  /** Resolves once the job is in a final state (at once if it is already), with its result. */
  outcome(job: JobRecord, signal?: AbortSignal): Promise<JobOutcome>;
}

/**
 * runAndAwait on any engine (queue.ts says what it promises). The jobs are enqueued in one
 * burst; a job found again by its idempotency key in quarantine is retried, since the caller
 * running again means it wants the work done. Every job is awaited even after one failed, so
 * no job's writes are still running unseen when the caller hears of the failure.
 */
export async function runAndAwait(
  engine: AwaitableEngine,
  steps: StepSpec[],
  options: AwaitOptions = {},
): Promise<unknown[]> {
  const { signal } = options;
  signal?.throwIfAborted();
  if (steps.length === 0) return [];
  const jobs = await engine.enqueueMany(steps);
  for (const job of jobs) {
    const current = await engine.backend.get(job.id);
    if (current?.state === 'quarantined') await engine.retry(job.id);
  }
  const all = Promise.allSettled(jobs.map((job) => settle(engine, job, signal)));
  const settled = signal ? await abortable(all, signal) : await all;
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value);
}

async function settle(engine: AwaitableEngine, job: JobRecord, signal?: AbortSignal): Promise<unknown> {
  const outcome = await engine.outcome(job, signal);
  const what = `${job.type} job ${job.id}`;
  if (outcome.state === 'completed') return outcome.result;
  if (outcome.state === 'cancelled')
    throw new JobCancelledError(`${what} was cancelled${outcome.error ? `: ${outcome.error}` : ''}`);
  // The class of its last attempt decides: a fatal failure will fail again, a transient one may not.
  const last = (await engine.backend.attempts(job.id)).at(-1);
  const message = `${what} failed: ${outcome.error ?? last?.error ?? 'unknown error'}`;
  throw last?.errorClass === 'fatal' ? new FatalError(message) : new TransientError(message);
}

/** The work's outcome, or the signal's reason as soon as it aborts. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
