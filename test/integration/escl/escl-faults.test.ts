import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceAlert } from '../../../shared/contract/index';
import type { CaptureResult } from '../../../electron/scanner/device';
import * as pageWriter from '../../../electron/scanner/page-writer';
import { EsclDevice } from '../../../electron/scanner/escl/index';
import { slotsSink } from '../../../electron/scanner/page-sink';
import { expectMastersMatchSent, FAST, listMasters, rig, type Rig } from './escl-harness';

/**
 * Every fault the simulator's eSCL face can inject, against the driver: pages before a fault
 * are kept whole, a broken page never gets a final name, nothing is numbered past a gap, and a
 * resumed capture fills exactly what is missing.
 */
describe('eSCL capture through faults', () => {
  let r: Rig;
  afterEach(async () => r?.close());

  it('a jam keeps the pages before it, latches JAMMED with an alert, and resumes after clear → reset', async () => {
    r = await rig({ sheets: 6, faults: [{ kind: 'jamAtPage', page: 3 }] });
    const alerts: DeviceAlert[] = [];
    r.device.on('alert', (a) => alerts.push(a));
    const jammed = await r.device.capture(r.request());
    expect(jammed).toMatchObject({ status: 'jammed', error: { code: 'ADF_JAM', transient: false } });
    expect(jammed.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(r.device.status().state).toBe('JAMMED');
    expect(alerts).toMatchObject([{ device: 'escl-1', code: 'ADF_JAM', job: 'J' }]);
    expectMastersMatchSent(r);

    // Until the operator has cleared the feeder and pressed RESET, nothing starts.
    expect(await r.device.capture(r.request())).toMatchObject({
      status: 'failed',
      error: { code: 'JAMMED' },
    });
    const reset = r.device.reset();
    r.sim.clearJam();
    await reset;
    expect(r.device.status()).toMatchObject({ alert: null });
    expect(r.device.status().state).not.toBe('JAMMED');

    const resumed = await r.device.capture(r.request());
    expect(resumed.status).toBe('complete');
    expect(resumed.pages.map((p) => p.page)).toEqual([3, 4, 5, 6]);
    expectMastersMatchSent(r);
  });

  it('a feeder already jammed when the job is posted (409 on ScanJobs) is a jam too', async () => {
    r = await rig({ sheets: 4, faults: [{ kind: 'jamAtPage', page: 1 }] });
    expect((await r.device.capture(r.request())).status).toBe('jammed');
    // A second station's driver, which has not seen the jam, posts a job to the jammed scanner.
    const other = new EsclDevice(
      { name: 'escl-2', address: r.sim.url, profile: { dpi: 300, mode: 'color', bitDepth: 8 } },
      FAST,
    );
    try {
      const jobsBefore = r.sim.jobsCreated.length;
      const result = await other.capture(r.request());
      expect(result).toMatchObject({ status: 'jammed', error: { code: 'ADF_JAM' } });
      expect(r.sim.jobsCreated).toHaveLength(jobsBefore);
      expect(other.status().state).toBe('JAMMED');
    } finally {
      await other.close();
    }
    expect(listMasters(r.masters)).toEqual([]);
  });

  it('waits out 503 busy with Retry-After, and gets every page', async () => {
    r = await rig({ sheets: 3, faults: [{ kind: 'busy', times: 4, retryAfterSeconds: 1 }] });
    const result = await r.device.capture(r.request());
    expect(result.status).toBe('complete');
    expect(result.pages).toHaveLength(3);
    expectMastersMatchSent(r);
  });

  it('backs off on 503 without Retry-After, and gets every page', async () => {
    r = await rig({ sheets: 3, faults: [{ kind: 'busy', times: 6 }] });
    const result = await r.device.capture(r.request());
    expect(result.status).toBe('complete');
    expectMastersMatchSent(r);
  });

  it('gives up on a scanner that stays busy, as a transient failure', async () => {
    r = await rig({ sheets: 3, faults: [{ kind: 'busy', times: 1000 }] }, { maxBusyRetries: 5 });
    const result = await r.device.capture(r.request());
    expect(result).toMatchObject({ status: 'failed', error: { code: 'BUSY', transient: true } });
    expect(listMasters(r.masters)).toEqual([]);
  });

  it('retries a 404 while the job still reports Processing, then gets the page', async () => {
    r = await rig({ sheets: 4, faults: [{ kind: 'early404', page: 2, times: 3 }] });
    const result = await r.device.capture(r.request());
    expect(result.status).toBe('complete');
    expect(result.pages).toHaveLength(4);
    expectMastersMatchSent(r);
  });

  it('believes a 404 once the retries are spent, even while the job still says Processing', async () => {
    r = await rig({ sheets: 4, faults: [{ kind: 'early404', page: 3, times: 100 }] }, { notFoundRetries: 3 });
    const result = await r.device.capture(r.request());
    expect(result.status).toBe('complete');
    expect(result.pages).toHaveLength(2);
    expectMastersMatchSent(r);
    // The job was deleted: the scanner is free for the next one.
    const next = await r.device.capture(r.request({ pages: 1 }));
    expect(next.pages.map((p) => p.page)).toEqual([3]);
  });

  it('takes slow bodies in small chunks, and chunked bodies without Content-Length', async () => {
    r = await rig({ sheets: 2, faults: [{ kind: 'slowBody', bytesPerSecond: 1_000_000, chunkBytes: 1000 }] });
    expect((await r.device.capture(r.request())).status).toBe('complete');
    r.sim.inject({ kind: 'clear' });
    r.sim.inject({ kind: 'chunked' });
    r.sim.loadSheets(3);
    expect((await r.device.capture(r.request())).status).toBe('complete');
    expect(listMasters(r.masters)).toHaveLength(5);
    expectMastersMatchSent(r);
  });

  it('takes a body that arrives a byte at a time (the console menu’s byteAtATime)', async () => {
    r = await rig({ sheets: 2 });
    expect(r.sim.injectContractFault({ kind: 'byteAtATime' })).toBe(true);
    const result = await r.device.capture(r.request({ dpi: 75 }));
    expect(result.status).toBe('complete');
    expectMastersMatchSent(r);
  });

  it.each(['dropMidPage', 'truncateAtPage'] as const)(
    '%s loses that page only, and holds the feeder for a person: its sheet may be out of the feeder',
    async (kind) => {
      r = await rig({ sheets: 5, faults: [{ kind, page: 3 }] });
      const alerts: DeviceAlert[] = [];
      r.device.on('alert', (a) => alerts.push(a));
      const broken = await r.device.capture(r.request());
      // Retried at once, the next sheet would have become page 3 and the batch would lack one.
      expect(broken).toMatchObject({
        status: 'jammed',
        sheetLeftFeeder: 3,
        fault: { code: 'SHEET_IN_DOUBT' },
        error: { code: 'SHEET_IN_DOUBT', transient: false },
      });
      expect(broken.error!.message).toMatch(/^page 3 was being scanned when escl-1 stopped \(page 3 /);
      expect(broken.pages.map((p) => p.page)).toEqual([1, 2]);
      expect(listMasters(r.masters)).toEqual(['page-0001.tif', 'page-0002.tif']);
      expect(r.sim.sent.filter((d) => !d.complete)).toHaveLength(1);
      expectMastersMatchSent(r);
      expect(r.device.status().state).toBe('JAMMED');
      expect(alerts).toMatchObject([{ device: 'escl-1', code: 'SHEET_IN_DOUBT', job: 'J' }]);
      expect(await r.device.capture(r.request())).toMatchObject({ error: { code: 'JAMMED' } });

      // Once a person has put the sheet back and reset, the next capture fills page 3 and goes on.
      await r.device.reset();
      const resumed = await r.device.capture(r.request());
      expect(resumed.status).toBe('complete');
      expect(resumed.pages.map((p) => p.page)).toEqual([3, 4]);
      expectMastersMatchSent(r);
    },
  );

  it('a page whose record fails while later pages arrive holds the feeder, naming the pages not kept', async () => {
    r = await rig({ sheets: 8 });
    const alerts: DeviceAlert[] = [];
    r.device.on('alert', (a) => alerts.push(a));
    const named: number[] = [];
    // The station's database refuses page 2's record (SQLITE_BUSY). The job has already asked for
    // page 3 by then (pages are named behind the transfer), so at least that sheet was fed.
    const sink = slotsSink([], 1, (p) => {
      if (p.page === 2) throw new Error('SQLITE_BUSY: database is locked');
      named.push(p.page);
    });
    const held = await r.device.capture(r.request({ sink }));
    // Retried at once, the next sheet in the feeder would take page 3: held instead, like a jam.
    expect(held).toMatchObject({
      status: 'jammed',
      fault: { code: 'SHEET_IN_DOUBT' },
      error: { code: 'SHEET_IN_DOUBT', transient: false },
    });
    const notKept = r.sim.completeDocuments().length - 2;
    expect(notKept).toBeGreaterThanOrEqual(1);
    const which = notKept === 1 ? 'page 3 was' : `pages 3–${2 + notKept} were`;
    expect(held.error!.message).toBe(
      `page 2 could not be recorded (SQLITE_BUSY: database is locked); ${which} scanned after it and not kept: put those sheets back on top of the pages still to scan, then reset`,
    );
    // Page 2 stays on disk under its name (the next run records it from there).
    expect(held.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(named).toEqual([1]);
    expect(listMasters(r.masters)).toEqual(['page-0001.tif', 'page-0002.tif']);
    expect(r.device.status().state).toBe('JAMMED');
    expect(alerts).toMatchObject([{ device: 'escl-1', code: 'SHEET_IN_DOUBT', job: 'J' }]);
    expect(await r.device.capture(r.request())).toMatchObject({ error: { code: 'JAMMED' } });

    // A person puts those sheets back on the feeder and resets: the batch goes on from page 3 and
    // ends with all 8 sheets, each once.
    r.sim.loadSheets(r.sim.sheetsLeft! + notKept);
    await r.device.reset();
    const resumed = await r.device.capture(r.request({ sink: slotsSink([], 3, (p) => named.push(p.page)) }));
    expect(resumed.status).toBe('complete');
    expect(resumed.pages.map((p) => p.page)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(named).toEqual([1, 3, 4, 5, 6, 7, 8]);
  });

  it('an empty feeder ends the batch: complete when reading until empty, PAGES_MISSING when pages were asked for', async () => {
    r = await rig({ sheets: 0 });
    expect(await r.device.capture(r.request())).toMatchObject({ status: 'complete', pages: [] });
    r.sim.loadSheets(2);
    const short = await r.device.capture(r.request({ pages: 4 }));
    expect(short).toMatchObject({ status: 'failed', error: { code: 'PAGES_MISSING' } });
    expect(short.pages).toHaveLength(2);
    r.sim.loadSheets(3);
    r.sim.inject({ kind: 'emptyFeeder' });
    expect(await r.device.capture(r.request())).toMatchObject({ status: 'complete', pages: [] });
    expectMastersMatchSent(r);
  });

  it('410 (cancelled at the device) ends the job as aborted; earlier pages stay', async () => {
    r = await rig({ sheets: 5, faults: [{ kind: 'cancelAtPage', page: 3 }] });
    const result = await r.device.capture(r.request());
    expect(result).toMatchObject({ status: 'aborted', error: { code: 'ABORTED' } });
    expect(result.pages).toHaveLength(2);
    expectMastersMatchSent(r);
  });

  it('a job the scanner aborts (not for paper) on the feeder holds it, naming why; earlier pages stay', async () => {
    r = await rig({ sheets: 5, faults: [{ kind: 'abortAtPage', page: 3 }] });
    const result = await r.device.capture(r.request());
    expect(result).toMatchObject({ status: 'jammed', error: { code: 'SHEET_IN_DOUBT', transient: false } });
    expect(result.error?.message).toMatch(/^page 3 was being scanned .*ServiceOffLine/);
    expect(result.pages).toHaveLength(2);
    expectMastersMatchSent(r);
  });

  it('cancel() stops a page mid-body: no partial page, the job is deleted, earlier pages stay', async () => {
    r = await rig({ sheets: 5, pageWidthInches: 2, pageHeightInches: 3 });
    r.sim.inject({ kind: 'slowBody', bytesPerSecond: 2_000_000, chunkBytes: 8192 });
    const pages: number[] = [];
    const capture = r.device.capture(r.request());
    r.device.on('status', (s) => {
      if (s.pagesPerMinute > 0 && pages.length === 0) {
        pages.push(s.pagesPerMinute);
        void r.device.cancel();
      }
    });
    const result = await capture;
    expect(result.status).toBe('aborted');
    expect(result.pages.length).toBeGreaterThanOrEqual(1);
    expect(listMasters(r.masters).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(listMasters(r.masters)).toHaveLength(result.pages.length);
    await r.device.refresh();
    expect(r.device.status().state).toBe('IDLE');
    expectMastersMatchSent(r);
  });

  it('a request signal aborts like cancel()', async () => {
    r = await rig({ sheets: 5, faults: [{ kind: 'slowBody', bytesPerSecond: 500_000, chunkBytes: 4096 }] });
    const controller = new AbortController();
    r.device.on('status', (s) => {
      if (s.job === 'J' && s.page === 2) controller.abort();
    });
    const result = await r.device.capture(r.request({ signal: controller.signal }));
    expect(result.status).toBe('aborted');
    expect(listMasters(r.masters).some((f) => f.endsWith('.part'))).toBe(false);
    expectMastersMatchSent(r);
  });
});

/**
 * A body that is a whole HTTP message but half an image: only the page writer's image-structure
 * check (issue 13, the "devices" part) can catch it. Runs once that check is in page-writer.ts.
 */
const hasStructureCheck = 'PageStructureError' in pageWriter;
describe.skipIf(!hasStructureCheck)('eSCL capture of a truncated image', () => {
  let r: Rig;
  afterEach(async () => r?.close());

  it('never names the truncated page nor any page past it; the pages before it stay', async () => {
    r = await rig({ sheets: 6, faults: [{ kind: 'truncatedImageAtPage', page: 3 }] });
    const result = (await r.device.capture(r.request())) as CaptureResult & { malformedPages?: unknown[] };
    expect(result).toMatchObject({ status: 'failed', error: { code: 'MALFORMED_IMAGE' } });
    expect(result.malformedPages).toMatchObject([{ page: 3 }]);
    expect(listMasters(r.masters)).toEqual(['page-0001.tif', 'page-0002.tif']);
    expect(result.pages.map((p) => p.page)).toEqual([1, 2]);
  });
});
