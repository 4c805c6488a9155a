import type { ChecksumMismatch, MalformedPage } from './device';

/**
 * Why a page the page writer was given did not get its final name, in the terms every driver
 * reports: its bytes were no whole image (malformed), they did not match the scanner's
 * checksum (mismatch), or the disk refused them (write). Drivers differ in what they do next
 * (ScanLink may have the page sent again; eSCL and SANE stop naming pages past the gap); they
 * agree on what happened, so the quarantine's diagnostics read the same whatever the scanner.
 */
export type PageFailure =
  | { kind: 'malformed'; malformed: MalformedPage }
  | { kind: 'mismatch'; mismatch: ChecksumMismatch; message: string }
  | { kind: 'write'; message: string };

interface PageErrorShape extends Error {
  page?: number;
  format?: MalformedPage['format'];
  expected?: { sha256: string };
  actual?: { sha256: string };
}

/**
 * Recognised by the errors' names (PageStructureError, PageVerificationError in page-writer.ts)
 * rather than by class identity, so that an error crossing a module boundary twice still counts.
 */
export function pageFailureOf(error: unknown, page: number): PageFailure {
  const e = error as PageErrorShape;
  if (e instanceof Error && e.name === 'PageStructureError')
    return {
      kind: 'malformed',
      malformed: { page: e.page ?? page, format: e.format ?? null, message: e.message },
    };
  if (e instanceof Error && e.name === 'PageVerificationError' && e.expected && e.actual)
    return {
      kind: 'mismatch',
      mismatch: { page: e.page ?? page, expected: e.expected.sha256, actual: e.actual.sha256 },
      message: e.message,
    };
  return { kind: 'write', message: e instanceof Error ? e.message : String(error) };
}

/** The job's error for a page failure, where a driver stops at the page (eSCL, SANE). */
export function pageFailureError(failure: PageFailure): { code: string; message: string; transient: false } {
  switch (failure.kind) {
    case 'malformed':
      return { code: 'MALFORMED_IMAGE', message: failure.malformed.message, transient: false };
    case 'mismatch':
      return { code: 'PAGE_REJECTED', message: failure.message, transient: false };
    case 'write':
      return { code: 'STAGING_WRITE_FAILED', message: failure.message, transient: false };
  }
}
