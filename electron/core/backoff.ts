/**
 * Exponential backoff capped at `capMs`, with jitter in its upper half: retries of many
 * clients (scanners polled, stations reconnecting) are not in step, and none comes back sooner
 * than half its bound. `attempt` counts from 1.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 30));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}
