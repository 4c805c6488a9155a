import type { ScannerHold } from '../../shared/contract/index';

/** How many batches in a row must fail at capture on one scanner before it is held. */
export const HOLD_AFTER_FAILURES = 3;

/** What the hold rule needs to know of one batch on the scanner, newest first. */
export interface CaptureOutcome {
  batchId: string;
  /** Still validating or capturing: says nothing yet about the scanner. */
  inFlight: boolean;
  /** The reason it was quarantined at capture (checksum mismatch, protocol error…), or null. */
  captureFailure: string | null;
  /** When it was quarantined at capture. */
  failedAt: string | null;
  /** A person looked at the scanner after this failure (devices.acknowledgeHold). */
  acknowledged: boolean;
}

/**
 * A scanner whose last HOLD_AFTER_FAILURES finished batches all failed at capture, none of them
 * looked at since, is held: batch after batch quarantined for the same fault means the scanner
 * (a dirty sensor, a bad cable, failing firmware), not the pages, and more batches would only
 * fill the quarantine. A success or an acknowledged failure ends the run.
 */
export function scannerHold(device: string, newestFirst: CaptureOutcome[]): ScannerHold | null {
  const run: CaptureOutcome[] = [];
  for (const outcome of newestFirst) {
    if (outcome.inFlight) continue;
    if (!outcome.captureFailure || outcome.acknowledged) break;
    run.push(outcome);
  }
  if (run.length < HOLD_AFTER_FAILURES) return null;
  const reasons = [...new Set(run.map((r) => r.captureFailure!.toLowerCase()))].join(', ');
  return {
    reason: `the last ${run.length} batches on ${device} were quarantined at capture (${reasons}); check the scanner before starting another`,
    batches: run.map((r) => r.batchId),
    since: run[run.length - 1]!.failedAt ?? run[0]!.failedAt ?? new Date(0).toISOString(),
  };
}
