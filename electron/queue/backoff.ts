export interface RetryPolicy {
  /** Retries after the first attempt (default 3). */
  retries: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseMs: 30_000, capMs: 10 * 60_000 };

/**
 * Exponential backoff with full jitter (a uniformly random delay up to the exponential bound),
 * which spreads retries of many failed jobs instead of bunching them.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const bound = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * bound);
}

/**
 * How long a job waits before it tries again when a service it needs did not answer
 * (WaitingForServiceError): short enough that work resumes soon after the service is back,
 * long enough that a lab's stations do not keep a recovering database busy.
 */
export const DEFAULT_SERVICE_WAIT_MS = 10_000;

/** Between half and all of `waitMs`, so that the jobs waiting on one service do not all ask at once. */
export function serviceWaitDelay(waitMs: number, random: () => number = Math.random): number {
  return Math.round(waitMs * (0.5 + random() / 2));
}
