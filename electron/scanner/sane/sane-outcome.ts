import type { CaptureResult, CaptureStatus } from '../device';
import { sheetInDoubtFault } from '../sheet-in-doubt';
import {
  readScanimageFailure,
  statusOfExitCode,
  type SaneStatusName,
  type ScanimageFailure,
} from './sane-status';

/** How a scanimage batch ended, as the driver reports it (before page bookkeeping). */
export interface BatchEnd {
  status: CaptureStatus;
  error: CaptureResult['error'];
  /** A feeder fault the operator must clear (jam, open cover): the device goes JAMMED and alerts. */
  feederFault: { code: string; message: string } | null;
  /** The feeder was found empty. */
  feederEmpty: boolean;
  /** The device could not be opened at all. */
  unreachable: boolean;
}

const FAILURES: Partial<Record<SaneStatusName, { code: string; message: string; transient: boolean }>> = {
  DEVICE_BUSY: {
    code: 'DEVICE_BUSY',
    message: 'the scanner is busy (another program may be using it)',
    transient: true,
  },
  CANCELLED: { code: 'CANCELLED', message: 'the scan was cancelled at the scanner', transient: true },
  NO_MEM: { code: 'NO_MEM', message: 'the scanner or its backend ran out of memory', transient: true },
  WARMING_UP: { code: 'WARMING_UP', message: 'the lamp is not ready yet', transient: true },
  INVAL: { code: 'BAD_OPTION', message: 'the backend refused a setting', transient: false },
  UNSUPPORTED: {
    code: 'UNSUPPORTED',
    message: 'the backend does not support this operation',
    transient: false,
  },
  ACCESS_DENIED: { code: 'ACCESS_DENIED', message: 'access to the scanner was denied', transient: false },
  HW_LOCKED: {
    code: 'HW_LOCKED',
    message: 'the scanner mechanism is locked for transport',
    transient: false,
  },
};

/**
 * Reads scanimage's exit and its last stderr message into the neutral outcome. `pagesKept` is
 * how many pages of this batch reached their final names: an empty feeder after at least one
 * page is the normal end of a feeder batch, before any page it means "load paper".
 */
export interface BatchEndInput {
  device: string;
  /** The scanner's name at the station, for the operator's alert; `device` when not given. */
  name?: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderrLines: readonly string[];
  requestedPages: number | null;
  pagesKept: number;
  /**
   * The station page of a sheet the feeder had started when the batch ended, whose page never
   * arrived; null when no sheet was under way or the source is the flatbed.
   */
  feederSheetUnfinished?: number | null;
  /** Why Quire stopped scanimage itself (the job's time limit, a page it could not keep), if it did. */
  stoppedBecause?: string | null;
}

export function batchEnd(input: BatchEndInput): BatchEnd {
  const failure = readScanimageFailure(input.stderrLines);
  const end = endOfScanimage(input, failure);
  return sheetInDoubt(input, end, failure) ?? end;
}

/**
 * A feeder sheet started but not delivered is in doubt (../sheet-in-doubt.ts), unless the end
 * says the sheet never moved (an error in sane_start, an empty feeder) or is a fault the operator
 * clears anyway (a jam, an open cover).
 */
function sheetInDoubt(
  input: BatchEndInput,
  end: BatchEnd,
  failure: ScanimageFailure | null,
): BatchEnd | null {
  const page = input.feederSheetUnfinished ?? null;
  if (page === null || end.status === 'complete' || end.feederFault || end.feederEmpty || end.unreachable)
    return null;
  if (end.error?.code === 'BAD_OPTION') return null;
  if (failure && /sane_start/.test(failure.line)) return null;
  const fault = sheetInDoubtFault(
    page,
    input.name ?? input.device,
    input.stoppedBecause ?? end.error?.message ?? end.status,
  );
  return { ...end, feederFault: fault, status: 'jammed', error: { ...fault, transient: false } };
}

function endOfScanimage(input: BatchEndInput, failure: ScanimageFailure | null): BatchEnd {
  const { device } = input;
  const base = { feederFault: null, feederEmpty: false, unreachable: false };
  const detail = failure ? `: ${failure.line.replace(/^scanimage:\s*/, '')}` : '';
  if (failure?.kind === 'open-failed')
    return {
      ...base,
      unreachable: true,
      status: 'failed',
      error: { code: 'OFFLINE', message: `${device} could not be opened${detail}`, transient: true },
    };
  if (failure?.kind === 'bad-option')
    return {
      ...base,
      status: 'failed',
      error: { code: 'BAD_OPTION', message: `${device} refused an option${detail}`, transient: false },
    };
  // scanimage exits 0 when an unlimited batch ends on an empty feeder, even before any page:
  // the message it printed says what really happened.
  const status: SaneStatusName | null =
    failure?.kind === 'status'
      ? failure.status
      : input.exitCode === null
        ? null
        : (statusOfExitCode(input.exitCode) ?? null);
  const complete = (): BatchEnd =>
    input.requestedPages !== null && input.pagesKept < input.requestedPages
      ? {
          ...base,
          feederEmpty: status === 'NO_DOCS',
          status: 'failed',
          error: {
            code: 'PAGES_MISSING',
            message: `${input.pagesKept} of ${input.requestedPages} pages arrived${status === 'NO_DOCS' ? ': the feeder ran empty' : ''}`,
            transient: false,
          },
        }
      : { ...base, feederEmpty: status === 'NO_DOCS', status: 'complete', error: null };

  if (input.signal !== null && input.exitCode === null)
    return {
      ...base,
      status: 'interrupted',
      error: {
        code: 'SCANIMAGE_KILLED',
        message: `scanimage was stopped by ${input.signal}`,
        transient: true,
      },
    };
  switch (status) {
    case 'GOOD':
    case 'EOF':
      return complete();
    case 'NO_DOCS':
      if (input.pagesKept > 0) return complete();
      return {
        ...base,
        feederEmpty: true,
        status: 'failed',
        error: {
          code: 'NO_DOCS',
          message: `the feeder of ${device} is empty: load the pages`,
          transient: true,
        },
      };
    case 'JAMMED':
    case 'COVER_OPEN': {
      const fault =
        status === 'JAMMED'
          ? { code: 'ADF_JAM', message: `paper jam in the feeder of ${device}: clear the feeder, then reset` }
          : { code: 'COVER_OPEN', message: `the cover of ${device} is open: close it, then reset` };
      return { ...base, feederFault: fault, status: 'jammed', error: { ...fault, transient: false } };
    }
    case 'IO_ERROR':
      return {
        ...base,
        status: 'interrupted',
        error: { code: 'IO_ERROR', message: `I/O error talking to ${device}${detail}`, transient: true },
      };
    default: {
      const known = status ? FAILURES[status] : undefined;
      if (known) return { ...base, status: 'failed', error: { ...known, message: known.message + detail } };
      return {
        ...base,
        status: 'failed',
        error: {
          code: 'SCANIMAGE_FAILED',
          message: `scanimage failed (exit ${input.exitCode ?? input.signal})${detail}`,
          transient: true,
        },
      };
    }
  }
}
