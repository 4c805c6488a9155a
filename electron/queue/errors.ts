/** The handler says: trying again may work (timeout, reset, BUSY, I/O). Retried with backoff. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** The handler says: trying again cannot help (validation, checksum mismatch, malformed data). Quarantined. */
export class FatalError extends Error {
  override readonly name = 'FatalError';
  constructor(
    message: string,
    readonly diagnostics: unknown = null,
  ) {
    super(message);
  }
}

/**
 * The handler says: this job's work was withdrawn (its batch was cancelled or rejected while
 * the job waited). The job ends cancelled: never retried, never counted as done, and its
 * workflow stops.
 */
export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';
}

/**
 * The handler says: a service this job needs does not answer (the lab database, for the catalog
 * a package is described from). That is not the job's failure, and no number of attempts would
 * tell it from one: the job waits and tries again (every 5–10 s, see serviceWaitDelay), for as
 * long as the service is away, without spending an attempt. Its last error says what it waits
 * for, so the console shows why the batch does not move.
 */
export class WaitingForServiceError extends Error {
  override readonly name = 'WaitingForServiceError';
}

export type ErrorClass = 'transient' | 'fatal' | 'cancelled' | 'waiting';

const TRANSIENT_CODES = new Set([
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'EBUSY',
  'EIO',
  'EAGAIN',
  'EMFILE',
  // A full disk: space comes back (an operator frees it, a sync job finishes); retried with backoff.
  'ENOSPC',
  'EDQUOT',
  'SQLITE_FULL',
]);

/** Unknown errors count as transient: a retry is cheap, quarantining good work is not. */
export function classify(error: unknown): ErrorClass {
  if (error instanceof JobCancelledError) return 'cancelled';
  if (error instanceof FatalError) return 'fatal';
  if (error instanceof WaitingForServiceError) return 'waiting';
  if (error instanceof TransientError) return 'transient';
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return 'transient';
  if ((error as Error)?.name === 'ZodError') return 'fatal';
  return 'transient';
}
