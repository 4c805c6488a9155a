import { describe, expect, it } from 'vitest';
import { jobResult, RunFailure, type JobOutcome } from '../../../electron/scanner/escl/job-result';

const outcome = (over: Partial<JobOutcome>): JobOutcome => ({
  jobId: 'J',
  requested: null,
  timeLimitMs: null,
  pages: [],
  malformed: [],
  notKeptAfterGap: [],
  namingBroken: null,
  failure: null,
  ending: { kind: 'end' },
  device: 'escl-1',
  sheetAwaited: 3,
  ...over,
});
const lost = { kind: 'lost', page: 3, message: 'page 3 broke off: socket hang up' } as const;

describe('an eSCL job that ends while a feeder sheet was awaited', () => {
  it('holds for a person when the sheet may have left the feeder', () => {
    const doubt = { status: 'jammed', fault: { code: 'SHEET_IN_DOUBT' }, error: { transient: false } };
    expect(jobResult(outcome({ ending: lost }))).toMatchObject(doubt);
    expect(jobResult(outcome({ timeLimitMs: 90_000, ending: { kind: 'cancelled' } }))).toMatchObject(doubt);
    expect(
      jobResult(outcome({ failure: new RunFailure('HTTP_500', 'NextDocument answered HTTP 500', true) })),
    ).toMatchObject(doubt);
    expect(jobResult(outcome({ ending: lost })).error!.message).toBe(
      'page 3 was being scanned when escl-1 stopped (page 3 broke off: socket hang up): that sheet may have left the feeder without its page. Put it back on top of the pages still to scan, then reset',
    );
  });

  it('leaves every other end as it was', () => {
    // The flatbed (or an operator's cancel): nothing awaited from a feeder.
    expect(jobResult(outcome({ ending: lost, sheetAwaited: null }))).toMatchObject({
      status: 'interrupted',
      error: { code: 'PAGE_LOST', transient: true },
    });
    // A page that could not be named goes to quarantine, as before.
    const namingBroken = { code: 'STAGING_WRITE_FAILED', message: 'disk', transient: false };
    expect(jobResult(outcome({ ending: lost, namingBroken }))).toMatchObject({ error: namingBroken });
    // A refusal nobody retries never started a sheet.
    const refused = new RunFailure('UNSUPPORTED_PROFILE', 'HTTP 400', false);
    expect(jobResult(outcome({ failure: refused }))).toMatchObject({
      error: { code: 'UNSUPPORTED_PROFILE' },
    });
    expect(jobResult(outcome({ ending: { kind: 'jammed', adfState: 'ScannerAdfJam' } }))).toMatchObject({
      fault: { code: 'ADF_JAM' },
    });
    expect(jobResult(outcome({}))).toMatchObject({ status: 'complete' });
  });
});
