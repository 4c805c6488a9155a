import type { CaptureResult, MalformedPage } from '../device';
import type { CapturedPage } from '../page-writer';
import { sheetInDoubtFault } from '../sheet-in-doubt';

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

/** What an eSCL job leaves behind, for the neutral CaptureResult. */
export interface JobOutcome {
  jobId: string;
  requested: number | null;
  /** The limit the job ran past, or null when it did not time out. */
  timeLimitMs: number | null;
  pages: CapturedPage[];
  malformed: MalformedPage[];
  notKeptAfterGap: number[];
  namingBroken: CaptureResult['error'];
  failure: RunFailure | null;
  ending: Ending;
  /** The device, as the operator knows it (the alert names it). */
  device: string;
  /**
   * The page of a feeder sheet the job had asked for and not received when it ended; null on
   * the flatbed, after an operator's cancel, or when no page was awaited.
   */
  sheetAwaited: number | null;
}

/**
 * The result an eSCL job reports: a failure to name or record a page first (with the whole
 * pages discarded after it), then a timeout or a failure, then how the device ended the job.
 */
export function jobResult(input: JobOutcome): JobResult {
  const base = {
    job: input.jobId,
    pages: [...input.pages].sort((a, b) => a.page - b.page),
    checksumMismatches: [],
    protocolErrors: [],
    fault: null,
    ...(input.malformed.length > 0 ? { malformedPages: input.malformed } : {}),
  };
  const afterGap = input.notKeptAfterGap.length
    ? `; page(s) ${input.notKeptAfterGap.join(', ')} arrived after it and were not kept (nothing is numbered past a gap): feed those sheets again`
    : '';
  const error = input.namingBroken
    ? { ...input.namingBroken, message: input.namingBroken.message + afterGap }
    : input.failure && {
        code: input.failure.code,
        message: input.failure.message,
        transient: input.failure.transient,
      };
  const doubt = sheetInDoubt(input);
  if (doubt) return { ...base, status: 'jammed', fault: doubt, error: { ...doubt, transient: false } };
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
  if (error) return { ...base, status: 'failed', error };
  switch (input.ending.kind) {
    case 'jammed': {
      const message = `feeder jam (the scanner reports ${input.ending.adfState})`;
      return {
        ...base,
        status: 'jammed',
        fault: { code: 'ADF_JAM', message },
        error: { code: 'ADF_JAM', message, transient: false },
      };
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
 * A feeder sheet asked for and not received when the job ended abnormally (a page that broke
 * off, a dropped connection, a job the scanner aborted, the time limit) is in doubt
 * (../sheet-in-doubt.ts). A page that could not be named goes to quarantine as it did; a refusal
 * that is no one's transient failure (an unsupported profile) never started a sheet.
 */
function sheetInDoubt(input: JobOutcome): { code: string; message: string } | null {
  if (input.sheetAwaited === null || input.namingBroken) return null;
  const why =
    input.timeLimitMs !== null
      ? `it did not finish within ${Math.round(input.timeLimitMs / 1000)} s`
      : input.failure?.transient
        ? input.failure.message
        : input.ending.kind === 'lost'
          ? input.ending.message
          : null;
  return why === null ? null : sheetInDoubtFault(input.sheetAwaited, input.device, why);
}
