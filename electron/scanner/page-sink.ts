import type { CapturedPage } from './page-writer';

/**
 * Where a scanner's pages go and who records them: the one seam between a driver, which only
 * streams verified bytes to disk, and the station, which numbers pages and keeps their record.
 *
 * A capture names each page strictly in order and calls `named` before the next page is
 * named, so a page is never on disk under its final name for longer than it takes to record
 * it (a crash in that window is reconciled from disk before the next capture).
 */
export interface PageSink {
  /**
   * The station page number for the scanner's n-th page (1-based) of this job, or null when
   * the job has no place for it: a page beyond what was asked for is a protocol error.
   */
  slotFor(scannerPage: number): number | null;
  /** The page is under its final name: record it durably. Throwing stops the job. */
  named(page: CapturedPage): void;
}

/**
 * Pages numbered after `after`, at most `count` of them (null: no limit), recorded nowhere:
 * the standalone `quire capture`, which has no database.
 */
export function sequentialSink(after: number, count: number | null): PageSink {
  return {
    slotFor: (n) => (count !== null && n > count ? null : after + n),
    named: () => {},
  };
}

/**
 * Pages go to the listed vacant slots in order, then (for a feeder read until empty) to the
 * numbers after `openFrom`. This is how a resumed or recaptured batch fills exactly the slots
 * it lacks, never numbering past them.
 */
export function slotsSink(
  slots: readonly number[],
  openFrom: number | null,
  named: (page: CapturedPage) => void,
): PageSink {
  return {
    slotFor: (n) => {
      if (n <= slots.length) return slots[n - 1]!;
      return openFrom === null ? null : openFrom + (n - slots.length) - 1;
    },
    named,
  };
}
