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
