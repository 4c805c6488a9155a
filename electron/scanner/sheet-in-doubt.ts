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
