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
  feeder: true,
  sheetAwaited: 3,
  ...over,
});
const lost = { kind: 'lost', page: 3, message: 'page 3 broke off: socket hang up' } as const;

describe('an eSCL job that ends while a feeder sheet was awaited', () => {
  it('holds for a person when the sheet may have left the feeder', () => {
    const doubt = { status: 'jammed', fault: { code: 'SHEET_IN_DOUBT' }, error: { transient: false } };
    // Its page had begun to arrive: that sheet left the feeder, and the batch owes its page.
    expect(jobResult(outcome({ ending: lost }))).toMatchObject({ ...doubt, sheetLeftFeeder: 3 });
    expect(jobResult(outcome({ timeLimitMs: 90_000, ending: { kind: 'cancelled' } }))).toMatchObject(doubt);
    expect(
      jobResult(outcome({ failure: new RunFailure('HTTP_500', 'NextDocument answered HTTP 500', true) })),
    ).toMatchObject(doubt);
    // Asked for when the job timed out or failed, the sheet may never have been fed: not owed.
    expect(
      jobResult(outcome({ timeLimitMs: 90_000, ending: { kind: 'cancelled' } })).sheetLeftFeeder,
    ).toBeUndefined();
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
    // A refusal nobody retries never started a sheet.
    const refused = new RunFailure('UNSUPPORTED_PROFILE', 'HTTP 400', false);
    expect(jobResult(outcome({ failure: refused }))).toMatchObject({
      error: { code: 'UNSUPPORTED_PROFILE' },
    });
    expect(jobResult(outcome({ ending: { kind: 'jammed', adfState: 'ScannerAdfJam' } }))).toMatchObject({
      fault: { code: 'ADF_JAM' },
    });
    expect(jobResult(outcome({}))).toMatchObject({ status: 'complete' });
    // None of them owes a sheet.
    expect(jobResult(outcome({ ending: lost, sheetAwaited: null })).sheetLeftFeeder).toBeUndefined();
    expect(jobResult(outcome({ failure: refused })).sheetLeftFeeder).toBeUndefined();
    expect(jobResult(outcome({})).sheetLeftFeeder).toBeUndefined();
  });
});

describe('an eSCL job that stops at a page it could not keep or record', () => {
  const recordFailed = {
    page: 2,
    failed: 'recorded',
    why: 'SQLITE_BUSY: database is locked',
    error: {
      code: 'PAGE_RECORD_FAILED',
      message: 'page 2 is staged but could not be recorded: SQLITE_BUSY: database is locked',
      transient: true,
    },
  } as const;
  const writeFailed = {
    page: 2,
    failed: 'kept',
    why: 'disk',
    error: { code: 'STAGING_WRITE_FAILED', message: 'disk', transient: false },
  } as const;
  const ended = { ending: { kind: 'end' }, sheetAwaited: null } as const;

  it('holds the feeder when pages were delivered after it, naming them: the next sheet must not take page 3', () => {
    const result = jobResult(outcome({ ...ended, namingBroken: recordFailed, notKeptAfterGap: [3, 4, 5] }));
    expect(result).toMatchObject({
      status: 'jammed',
      fault: { code: 'SHEET_IN_DOUBT' },
      error: { code: 'SHEET_IN_DOUBT', transient: false },
    });
    expect(result.error!.message).toBe(
      'page 2 could not be recorded (SQLITE_BUSY: database is locked); pages 3–5 were scanned after it and not kept: put those sheets back on top of the pages still to scan, then reset',
    );
    // A sheet under way when the job broke off is named with them.
    const brokeOff = { kind: 'lost', page: 4, message: 'page 4 broke off: socket hang up' } as const;
    const underWay = outcome({
      ending: brokeOff,
      sheetAwaited: 4,
      namingBroken: recordFailed,
      notKeptAfterGap: [3],
    });
    expect(jobResult(underWay).error!.message).toMatch(
      /; page 3 was scanned after it and not kept, and the sheet of page 4 may have left the feeder when escl-1 stopped: put those sheets back/,
    );
  });

  it('a page that could not be kept stays the error (quarantine), and the feeder holds all the same', () => {
    const result = jobResult(outcome({ ...ended, namingBroken: writeFailed, notKeptAfterGap: [3] }));
    expect(result).toMatchObject({
      status: 'failed',
      error: { code: 'STAGING_WRITE_FAILED', transient: false },
      fault: {
        code: 'SHEET_IN_DOUBT',
        message: expect.stringMatching(/^page 2 could not be kept \(disk\); page 3/),
      },
    });
    expect(result.error!.message).toBe(
      'disk; page 3 was delivered after it and not kept (nothing is numbered past a gap)',
    );
    // With only a sheet awaited when the job broke off, that sheet is in doubt, as for any break.
    expect(jobResult(outcome({ ending: lost, namingBroken: writeFailed }))).toMatchObject({
      status: 'failed',
      error: writeFailed.error,
      fault: {
        message: expect.stringMatching(
          /^page 3 was being scanned when escl-1 stopped \(page 2 could not be kept: disk\)/,
        ),
      },
    });
  });

  it('nothing fed after it, or the flatbed: no hold, and a record failure is retried as before', () => {
    expect(jobResult(outcome({ ...ended, namingBroken: recordFailed }))).toMatchObject({
      status: 'failed',
      fault: null,
      error: recordFailed.error,
    });
    const flatbed = jobResult(
      outcome({ ...ended, feeder: false, namingBroken: recordFailed, notKeptAfterGap: [3] }),
    );
    expect(flatbed).toMatchObject({ status: 'failed', fault: null, error: { code: 'PAGE_RECORD_FAILED' } });
    expect(flatbed.error!.message).toMatch(/; page 3 was delivered after it and not kept/);
  });
});
