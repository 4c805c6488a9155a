/**
 * A feeder sheet the scanner had started when a capture stopped abnormally (a read error, a
 * dropped connection, a job the scanner aborted, a hang ended at the time limit) may have left
 * the feeder without its page reaching the station. Retried at once, the next sheet would take
 * that page's number and the batch would lack a page without anyone knowing. So every driver
 * reports such an end as this feeder fault: the scanner holds with an alert, as for a jam, until
 * a person has put the sheet back and reset it; the next run fills the page from there. The
 * flatbed, where the page stays on the glass, and an operator's own cancel are not in doubt.
 */
export const SHEET_IN_DOUBT = 'SHEET_IN_DOUBT';

export function sheetInDoubtFault(
  page: number,
  device: string,
  why: string,
): { code: string; message: string } {
  return {
    code: SHEET_IN_DOUBT,
    message: `page ${page} was being scanned when ${device} stopped (${why}): that sheet may have left the feeder without its page. Put it back on top of the pages still to scan, then reset`,
  };
}

/**
 * The page a SANE or eSCL capture stopped at because the station could not keep it (its bytes,
 * its write: it never got its final name) or record it (it is on disk under its final name, and
 * the next run records it from there). Nothing is numbered past it.
 */
export interface PageGap {
  page: number;
  failed: 'kept' | 'recorded';
  /** Why, in the failure's own words. */
  why: string;
}

/**
 * By the time a page fails to be kept or recorded the feeder has usually fed more sheets, and
 * their pages, delivered whole after the gap, were not kept. Those sheets are out of the feeder
 * as surely as a sheet in doubt: retried at once, the next sheet in the feeder would take the
 * first of their numbers, and a batch read until the feeder is empty would end with pages missing
 * and every later page misnumbered, with no gap to show it. So the scanner holds the same way
 * (SHEET_IN_DOUBT: the console's alert, the reset, the resume from the pages kept are the same),
 * and the alert names the page that stopped the capture and every page not kept. `underWay` is
 * the page of a sheet the feeder had started and not delivered (in doubt by the rule above), if
 * any. Null when no sheet was fed after the gap: a retry then takes the next sheet rightly.
 * Drivers call this for a feeder only; on the flatbed the page stays on the glass.
 */
export function pagesNotKeptFault(
  gap: PageGap,
  notKept: readonly number[],
  underWay: number | null,
  device: string,
): { code: string; message: string } | null {
  const stopped = `page ${gap.page} could not be ${gap.failed}`;
  if (notKept.length === 0)
    return underWay === null ? null : sheetInDoubtFault(underWay, device, `${stopped}: ${gap.why}`);
  const alsoUnderWay =
    underWay === null
      ? ''
      : `, and the sheet of page ${underWay} may have left the feeder when ${device} stopped`;
  return {
    code: SHEET_IN_DOUBT,
    message: `${stopped} (${gap.why}); ${pagesWere(notKept)} scanned after it and not kept${alsoUnderWay}: put those sheets back on top of the pages still to scan, then reset`,
  };
}

/**
 * What a failure's own error adds about the pages delivered after the gap and not kept, so that
 * nothing the scanner delivered goes unmentioned, on the flatbed too ('' when there were none).
 */
export function notKeptAfterGap(notKept: readonly number[]): string {
  return notKept.length === 0
    ? ''
    : `; ${pagesWere(notKept)} delivered after it and not kept (nothing is numbered past a gap)`;
}

/** "page 3 was", "pages 3–6 were", "pages 3–4, 7 were". */
function pagesWere(pages: readonly number[]): string {
  const sorted = [...pages].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(j === i ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return sorted.length === 1 ? `page ${runs[0]} was` : `pages ${runs.join(', ')} were`;
}
