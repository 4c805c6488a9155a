import type { BitDepth, ScanMode } from './device';

/** The largest sheet a document feeder takes, US legal (inches): the worst case per page. */
const SHEET_INCHES = { width: 8.5, height: 14 };
/** Slowest link we still call working: a congested 10 Mbit/s segment. */
const FLOOR_BYTES_PER_SECOND = 1_000_000;
/** Feeding, a slow first page, a warm-up lamp. */
const SETUP_MS = 60_000;
/** Per page on top of its bytes: feeding and mechanics. */
const PER_PAGE_SLACK_MS = 30_000;

/** Uncompressed bytes of the largest page at this resolution and mode. */
export function worstCasePageBytes(request: { dpi: number; mode: ScanMode; bitDepth: BitDepth }): number {
  const channels = request.mode === 'color' ? 3 : 1;
  const bits = request.mode === 'bw' ? 1 : request.bitDepth;
  const pixels = Math.ceil(SHEET_INCHES.width * request.dpi) * Math.ceil(SHEET_INCHES.height * request.dpi);
  return Math.ceil((pixels * channels * bits) / 8);
}

/**
 * How long a CAPTURE may run before it is aborted as stuck: setup plus, per page, the time the
 * worst-case page takes at the floor rate. Generous for a scanner that works, bounded for one
 * that never sends JOB_END. A feeder read until empty (pages null) gets one page's worth,
 * renewed after every page.
 */
export function captureTimeLimitMs(request: {
  pages: number | null;
  dpi: number;
  mode: ScanMode;
  bitDepth: BitDepth;
}): number {
  const perPage = PER_PAGE_SLACK_MS + (worstCasePageBytes(request) / FLOOR_BYTES_PER_SECOND) * 1000;
  return Math.round(SETUP_MS + (request.pages ?? 1) * perPage);
}
