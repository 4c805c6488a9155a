import type { CaptureResult, MalformedPage } from '../device';
import type { CapturedPage } from '../page-writer';
import { notKeptAfterGap, pagesNotKeptFault, sheetInDoubtFault, type PageGap } from '../sheet-in-doubt';

/** How a job ended, as far as the device told us. */
export type Ending =
  | { kind: 'end' }
  | { kind: 'jammed'; adfState: string }
  | { kind: 'cancelled' }
  | { kind: 'lost'; page: number; message: string };

export class RunFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export type JobResult = CaptureResult;

/** A page the job could not name or record (../sheet-in-doubt.ts), with the error it reports. */
export type NamingGap = PageGap & { error: NonNullable<CaptureResult['error']> };

/** What an eSCL job leaves behind, for the neutral CaptureResult. */
export interface JobOutcome {
  jobId: string;
  requested: number | null;
  /** The limit the job ran past, or null when it did not time out. */
  timeLimitMs: number | null;
  pages: CapturedPage[];
  malformed: MalformedPage[];
  /** Whole pages that arrived after `namingBroken`: discarded, never numbered past the gap. */
  notKeptAfterGap: number[];
  namingBroken: NamingGap | null;
  failure: RunFailure | null;
  ending: Ending;
  /** The device, as the operator knows it (the alert names it). */
  device: string;
  /** The pages came from the feeder (simplex or duplex), not the flatbed. */
  feeder: boolean;
  /**
   * The page of a feeder sheet the job had asked for and not received when it ended; null on
   * the flatbed, after an operator's cancel, or when no page was awaited.
   */
  sheetAwaited: number | null;
}

/**
 * The result an eSCL job reports: a hold for a feeder (../sheet-in-doubt.ts) first, then a
 * failure to name or record a page (with the whole pages discarded after it), then a timeout or
 * a failure, then how the device ended the job.
 */
export function jobResult(input: JobOutcome): JobResult {
  const leftFeeder = sheetLeftFeeder(input);
  const base = {
    job: input.jobId,
    pages: [...input.pages].sort((a, b) => a.page - b.page),
    checksumMismatches: [],
    protocolErrors: [],
    fault: null,
    ...(input.malformed.length > 0 ? { malformedPages: input.malformed } : {}),
    ...(input.notKeptAfterGap.length > 0 ? { pagesNotKept: [...input.notKeptAfterGap] } : {}),
    ...(leftFeeder !== null ? { sheetLeftFeeder: leftFeeder } : {}),
  };
  const gap = input.namingBroken;
  // A jam after the gap holds the feeder as it would have without it.
  const held = heldFault(input) ?? (gap && input.ending.kind === 'jammed' ? jamFault(input.ending) : null);
  // A hold is the result, unless a page could not be kept (its bytes, its write): that stays the
  // error, which quarantines the batch, and the scanner holds all the same (the fault).
  if (held && gap?.failed !== 'kept')
    return { ...base, status: 'jammed', fault: held, error: { ...held, transient: false } };
  if (gap)
    return {
      ...base,
      status: 'failed',
      fault: held,
      error: { ...gap.error, message: gap.error.message + notKeptAfterGap(input.notKeptAfterGap) },
    };
  if (input.timeLimitMs !== null)
    return {
      ...base,
      status: 'failed',
      error: {
        code: 'CAPTURE_TIMEOUT',
        message: `the scanner did not finish within ${Math.round(input.timeLimitMs / 1000)} s`,
        transient: true,
      },
    };
  if (input.failure)
    return {
      ...base,
      status: 'failed',
      error: { code: input.failure.code, message: input.failure.message, transient: input.failure.transient },
    };
  switch (input.ending.kind) {
    case 'jammed': {
      const fault = jamFault(input.ending);
      return { ...base, status: 'jammed', fault, error: { ...fault, transient: false } };
    }
    case 'cancelled':
      return {
        ...base,
        status: 'aborted',
        error: { code: 'ABORTED', message: 'the job was cancelled', transient: false },
      };
    case 'lost':
      return {
        ...base,
        status: 'interrupted',
        error: {
          code: 'PAGE_LOST',
          message: `${input.ending.message}; pages before it are kept`,
          transient: true,
        },
      };
    case 'end':
      if (input.requested !== null && input.pages.length < input.requested)
        return {
          ...base,
          status: 'failed',
          error: {
            code: 'PAGES_MISSING',
            message: `${input.pages.length} of ${input.requested} pages arrived before the feeder was empty`,
            transient: false,
          },
        };
      return { ...base, status: 'complete', error: null };
  }
}

/**
 * What holds a feeder for a person. A feeder sheet asked for and not received when the job ended
 * abnormally (a page that broke off, a dropped connection, a job the scanner aborted, the time
 * limit) is in doubt; a refusal that is no one's transient failure (an unsupported profile) never
 * started a sheet. After a page that could not be kept or recorded, the sheets fed after it (their
 * pages discarded, or that sheet in doubt) hold the feeder too, named with that page.
 */
function heldFault(input: JobOutcome): { code: string; message: string } | null {
  const why = whyInDoubt(input);
  const inDoubt = why === null ? null : input.sheetAwaited;
  if (input.namingBroken)
    return input.feeder
      ? pagesNotKeptFault(input.namingBroken, input.notKeptAfterGap, inDoubt, input.device)
      : null;
  return inDoubt === null || why === null ? null : sheetInDoubtFault(inDoubt, input.device, why);
}

function jamFault(ending: { adfState: string }): { code: string; message: string } {
  return { code: 'ADF_JAM', message: `feeder jam (the scanner reports ${ending.adfState})` };
}

/** Why a sheet asked for and not received is in doubt: the job ended abnormally (null: it did not). */
function whyInDoubt(input: JobOutcome): string | null {
  return input.timeLimitMs !== null
    ? `it did not finish within ${Math.round(input.timeLimitMs / 1000)} s`
    : input.failure?.transient
      ? input.failure.message
      : input.ending.kind === 'lost'
        ? input.ending.message
        : null;
}

/**
 * The sheet in doubt whose page had begun to arrive when it broke off (an ending that is always
 * in doubt): it certainly left the feeder. One the job asked for when it failed or timed out
 * may never have been fed.
 */
function sheetLeftFeeder(input: JobOutcome): number | null {
  return input.ending.kind === 'lost' ? input.sheetAwaited : null;
}
