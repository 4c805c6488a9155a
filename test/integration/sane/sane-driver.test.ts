import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../../shared/contract/index';
import type { CaptureRequest } from '../../../electron/scanner/device';
import { slotsSink } from '../../../electron/scanner/page-sink';
import type { CapturedPage } from '../../../electron/scanner/page-writer';
import * as pageWriter from '../../../electron/scanner/page-writer';
import { spoolDirFor } from '../../../electron/scanner/sane/sane-batch';
import { SaneDevice } from '../../../electron/scanner/sane/sane-device';
import { makeTempDir } from '../../helpers/temp-dir';
import {
  BACKEND_HANG_RETRY,
  brokenPageAsNextFeedsScanimage,
  failingScanimage,
  killScanimagesUnder,
  makeSaneTestEnv,
  markingScanimage,
  saneSkipReason,
  stallingScanimage,
  truncatingScanimage,
  testBackendDevice,
  testBackendRequest,
  type SaneTestEnv,
} from './sane-test-env';

const skip = saneSkipReason();
if (skip) console.log(`SANE driver tests skipped: ${skip}`);

const FEEDER = { 'test-picture': 'Color pattern' };
/** The page writer's image-structure check (issue 13) may not be on this branch yet. */
const structureCheck = 'PageStructureError' in pageWriter;
if (!structureCheck)
  console.log('SANE malformed-page test skipped: the page writer has no image-structure check here');
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe.skipIf(skip !== null)('SANE driver against the test backend', { retry: BACKEND_HANG_RETRY }, () => {
  let dir: ReturnType<typeof makeTempDir>;
  let sane: SaneTestEnv;
  let mastersDir: string;

  beforeEach(() => {
    dir = makeTempDir('quire-sane-');
    sane = makeSaneTestEnv(dir.path);
    // A `%` in the data folder's path must not reach scanimage's file-name pattern as a format.
    mastersDir = path.join(dir.path, 'staging 100%d', 'B1', 'masters');
  });
  afterEach(() => {
    killScanimagesUnder(dir.path);
    dir.cleanup();
  });

  const device = (driverOptions: Record<string, string> = FEEDER, command?: string) =>
    testBackendDevice(sane, driverOptions, command);
  const request = (over: Partial<CaptureRequest> = {}) => testBackendRequest(mastersDir, over);
  const masters = () => (existsSync(mastersDir) ? readdirSync(mastersDir).sort() : []);

  it('reads capabilities and identity from the device itself', async () => {
    const d = device();
    expect(await d.probe()).toBe(true);
    expect(d.capabilities()).toMatchObject({
      sources: ['flatbed', 'feeder'],
      modes: ['color', 'gray', 'bw'],
      bitDepths: [1, 8, 16],
      formats: ['tiff'],
      maxArea: { widthMm: 200, heightMm: 200 },
    });
    expect(d.capabilities()!.resolutions).toEqual(expect.arrayContaining([50, 75, 150, 300, 600, 1200]));
    expect(d.status()).toMatchObject({
      state: 'IDLE',
      identity: { vendor: 'Noname', model: 'frontend-tester' },
      lastError: null,
      driver: 'sane',
      address: 'test',
      capabilities: { resolutionRange: { min: 1, max: 1200 } },
    });
  });

  it('takes every sheet of the feeder exactly once, in order, byte for byte as scanimage wrote it', async () => {
    const reference = path.join(dir.path, 'reference');
    const d = device(FEEDER, markingScanimage(dir.path, reference));
    const named: CapturedPage[] = [];
    const result = await d.capture(request({ sink: slotsSink([], 1, (page) => named.push(page)) }));
    // The feeder holds 10 sheets; the empty feeder after them is the normal end of the batch.
    expect(result).toMatchObject({ status: 'complete', error: null, protocolErrors: [] });
    expect(result.pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(named.map((p) => p.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(masters()).toEqual(result.pages.map((p) => `page-${String(p.page).padStart(4, '0')}.tif`));
    for (const page of result.pages) {
      const scanned = path.join(reference, `scan-${page.page}.tif`);
      expect(readFileSync(page.path).equals(readFileSync(scanned))).toBe(true);
      expect(readFileSync(page.path).subarray(-32).toString('latin1')).toContain(
        `QUIRE-TEST-scan-${page.page}.tif`,
      );
      expect(page.sha256).toBe(sha256(scanned));
      expect(page.bytes).toBe(readFileSync(scanned).length);
      expect(readFileSync(page.path).subarray(0, 4).toString('latin1')).toMatch(/^(II\*\0|MM\0\*)$/);
    }
    expect(existsSync(spoolDirFor(mastersDir))).toBe(false);
    expect(d.status()).toMatchObject({ state: 'IDLE', adf: 'EMPTY', flush: 'idle', job: null });
  });

  it('asks for exactly N pages and continues numbering after the pages already there', async () => {
    const d = device();
    const first = await d.capture(request({ pages: 3 }));
    expect(first).toMatchObject({ status: 'complete' });
    const second = await d.capture(request({ pages: 2 }));
    expect(second.pages.map((p) => p.page)).toEqual([4, 5]);
    expect(masters()).toEqual([
      'page-0001.tif',
      'page-0002.tif',
      'page-0003.tif',
      'page-0004.tif',
      'page-0005.tif',
    ]);
  });

  it('an empty feeder before N pages fails as pages missing and keeps what arrived', async () => {
    const result = await device().capture(request({ pages: 12 }));
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'PAGES_MISSING' });
    expect(result.error!.message).toMatch(/10 of 12 pages.*empty/);
    expect(result.pages).toHaveLength(10);
  });

  it('an empty feeder before any page says so and counts as retryable', async () => {
    const d = device({ ...FEEDER, 'read-return-value': 'SANE_STATUS_NO_DOCS' });
    const result = await d.capture(request());
    expect(result).toMatchObject({
      status: 'failed',
      pages: [],
      error: { code: 'NO_DOCS', transient: true },
    });
    expect(d.status().adf).toBe('EMPTY');
  });

  it('a jam leaves the device JAMMED with an alert until reset, then the batch resumes', async () => {
    const d = device({ ...FEEDER, 'read-return-value': 'SANE_STATUS_JAMMED' });
    const alerts: NonNullable<DeviceStatus['alert']>[] = [];
    d.on('alert', (alert) => alerts.push(alert));
    const jammed = await d.capture(request());
    expect(jammed).toMatchObject({
      status: 'jammed',
      pages: [],
      error: { code: 'ADF_JAM', transient: false },
    });
    expect(jammed.error!.message).toMatch(/jam/);
    expect(d.status()).toMatchObject({ state: 'JAMMED', adf: 'JAM', alert: { code: 'ADF_JAM', job: 'B1' } });
    expect(alerts).toHaveLength(1);
    expect(masters()).toEqual([]);
    // Nothing starts on a jammed device until the operator has cleared it.
    expect(await d.capture(request())).toMatchObject({ status: 'failed', error: { code: 'JAMMED' } });
    await d.reset();
    expect(d.status()).toMatchObject({ state: 'IDLE', alert: null });
  });

  it('a jam after some pages keeps them; the resumed run fills the slots after them', async () => {
    const jamming = device(FEEDER, failingScanimage(dir.path, 3));
    const named: number[] = [];
    const sink = () => slotsSink([1, 2, 3, 4, 5, 6], null, (p) => named.push(p.page));
    const jammed = await jamming.capture(request({ pages: 6, sink: sink() }));
    expect(jammed).toMatchObject({ status: 'jammed', error: { code: 'ADF_JAM' } });
    expect(jammed.pages.map((p) => p.page)).toEqual([1, 2, 3]);
    expect(jamming.status()).toMatchObject({ state: 'JAMMED', page: null, job: null });
    await jamming.reset();
    const resumed = await device().capture(
      request({ pages: 3, sink: slotsSink([4, 5, 6], null, (p) => named.push(p.page)) }),
    );
    expect(resumed).toMatchObject({ status: 'complete' });
    expect(named).toEqual([1, 2, 3, 4, 5, 6]);
    expect(masters()).toEqual([1, 2, 3, 4, 5, 6].map((n) => `page-000${n}.tif`));
  });

  it('a scanner that stops answering is stopped at the time limit; the pages before it stay', async () => {
    const d = device(FEEDER, stallingScanimage(dir.path, 2));
    const result = await d.capture(request({ pages: 5, timeLimitMs: 1_500, source: 'flatbed' }));
    expect(result).toMatchObject({ status: 'failed', error: { code: 'CAPTURE_TIMEOUT', transient: true } });
    expect(result.error!.message).toMatch(/did not finish the job within 2 s/);
    expect(result.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(masters()).toEqual(['page-0001.tif', 'page-0002.tif']);
    expect(existsSync(spoolDirFor(mastersDir))).toBe(false);
    expect(d.status()).toMatchObject({ state: 'IDLE', job: null, page: null });
    // The next run continues after the pages that arrived.
    const resumed = await device().capture(request({ pages: 3 }));
    expect(resumed.pages.map((p) => p.page)).toEqual([3, 4, 5]);
  });

  it('a feeder that stops mid-sheet holds for the operator: that sheet may be out of the feeder', async () => {
    const d = device(FEEDER, stallingScanimage(dir.path, 2));
    const alerts: NonNullable<DeviceStatus['alert']>[] = [];
    d.on('alert', (alert) => alerts.push(alert));
    const stalled = await d.capture(request({ pages: 5, timeLimitMs: 1_500 }));
    // Retried at once, the next sheet would have taken page 3: held instead, like a jam.
    expect(stalled).toMatchObject({
      status: 'jammed',
      error: { code: 'SHEET_IN_DOUBT', transient: false },
      fault: { code: 'SHEET_IN_DOUBT' },
    });
    expect(stalled.error!.message).toMatch(
      /page 3 was being scanned .*did not finish the job within 2 s.*Put it back/,
    );
    expect(stalled.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(d.status()).toMatchObject({ state: 'JAMMED', alert: { code: 'SHEET_IN_DOUBT', job: 'B1' } });
    expect(alerts).toHaveLength(1);
    expect(await d.capture(request())).toMatchObject({ status: 'failed', error: { code: 'JAMMED' } });

    // A read error on the feeder is the same doubt, whatever the backend said.
    const failing = device({ ...FEEDER, 'read-return-value': 'SANE_STATUS_IO_ERROR' });
    const ioError = await failing.capture(request({ pages: 3 }));
    expect(ioError).toMatchObject({ status: 'jammed', error: { code: 'SHEET_IN_DOUBT' } });
    expect(ioError.error!.message).toMatch(/page 3 was being scanned .*I\/O error/);

    await d.reset();
    const resumed = await device().capture(request({ pages: 3 }));
    expect(resumed.pages.map((p) => p.page)).toEqual([3, 4, 5]);
    expect(masters()).toEqual([1, 2, 3, 4, 5].map((n) => `page-000${n}.tif`));
  });

  it('after a jam is cleared, the next run fills the batch (clear → reset → resume)', async () => {
    const jamming = device({ ...FEEDER, 'read-return-value': 'SANE_STATUS_JAMMED' });
    await jamming.capture(request());
    await jamming.reset();
    const resumed = await device().capture(request({ pages: 4 }));
    expect(resumed).toMatchObject({ status: 'complete' });
    expect(masters()).toEqual(['page-0001.tif', 'page-0002.tif', 'page-0003.tif', 'page-0004.tif']);
  });

  it.each([
    ['SANE_STATUS_COVER_OPEN', 'jammed', 'COVER_OPEN', false],
    ['SANE_STATUS_IO_ERROR', 'interrupted', 'IO_ERROR', true],
    ['SANE_STATUS_DEVICE_BUSY', 'failed', 'DEVICE_BUSY', true],
    ['SANE_STATUS_NO_MEM', 'failed', 'NO_MEM', true],
    ['SANE_STATUS_ACCESS_DENIED', 'failed', 'ACCESS_DENIED', false],
  ] as const)('%s maps to %s / %s (flatbed)', async (value, status, code, transient) => {
    // On the flatbed, where a failed read leaves the page where it was, to be scanned again.
    const d = device({ ...FEEDER, 'read-return-value': value });
    const result = await d.capture(request({ source: 'flatbed' }));
    expect(result).toMatchObject({ status, pages: [], error: { code, transient } });
    expect(masters()).toEqual([]);
    expect(existsSync(spoolDirFor(mastersDir))).toBe(false);
  });

  it('pages before a page that cannot be staged stay; none is numbered past the gap', async () => {
    mkdirSync(mastersDir, { recursive: true });
    // Slot 4 is taken by something that is not this job's page: staging page 4 must fail.
    writeFileSync(path.join(mastersDir, 'page-0004.tif'), 'not ours');
    const named: number[] = [];
    const result = await device().capture(
      request({ sink: slotsSink([1, 2, 3, 4, 5, 6], null, (p) => named.push(p.page)), pages: 6 }),
    );
    expect(result).toMatchObject({ status: 'failed', error: { code: 'STAGING_WRITE_FAILED' } });
    expect(named).toEqual([1, 2, 3]);
    expect(result.pages.map((p) => p.page)).toEqual([1, 2, 3]);
    expect(masters()).toEqual(['page-0001.tif', 'page-0002.tif', 'page-0003.tif', 'page-0004.tif']);
    expect(readFileSync(path.join(mastersDir, 'page-0004.tif'), 'utf8')).toBe('not ours');
  });

  it.skipIf(!structureCheck)(
    'a truncated page never gets a final name; the batch stops before the gap',
    async () => {
      const named: number[] = [];
      const result = await device(FEEDER, truncatingScanimage(dir.path, 3)).capture(
        request({ pages: 5, sink: slotsSink([1, 2, 3, 4, 5], null, (p) => named.push(p.page)) }),
      );
      expect(result).toMatchObject({
        status: 'failed',
        error: { code: 'MALFORMED_IMAGE', transient: false },
      });
      expect((result as { malformedPages?: unknown }).malformedPages).toEqual([
        expect.objectContaining({ page: 3, format: 'tiff' }),
      ]);
      expect(named).toEqual([1, 2]);
      expect(masters()).toEqual(['page-0001.tif', 'page-0002.tif']);
    },
  );

  it.skipIf(!structureCheck)(
    'a page that cannot be kept while the next sheet feeds: the batch fails and that sheet is in doubt',
    async () => {
      const gate = path.join(dir.path, 'gate');
      execFileSync('mkfifo', [gate]);
      const d = device(FEEDER, brokenPageAsNextFeedsScanimage(dir.path, 2, gate));
      // Page 3 is handed over only once sheet 4 is seen under way, so Quire stops the scanner
      // with that sheet in the feeder's path, whatever the timing of the two pipes.
      let opened = false;
      d.on('status', (status: DeviceStatus) => {
        if (status.page === 4 && !opened) {
          opened = true;
          void writeFile(gate, 'go\n');
        }
      });
      const result = await d.capture(request({ pages: 5 }));
      expect(opened).toBe(true);
      // The broken page fails the batch (quarantine) as before; the pages before it stay.
      expect(result).toMatchObject({
        status: 'failed',
        error: { code: 'MALFORMED_IMAGE' },
        fault: { code: 'SHEET_IN_DOUBT' },
      });
      expect(result.pages.map((p) => p.page)).toEqual([1, 2]);
      // And the scanner holds: sheet 4 may have left the feeder, and the reason is the page.
      expect(d.status()).toMatchObject({ state: 'JAMMED', alert: { code: 'SHEET_IN_DOUBT', job: 'B1' } });
      expect(d.status().alert!.message).toMatch(/^page 4 was being scanned when sane-1 stopped \(.*page 3/);
      expect(await d.capture(request())).toMatchObject({ status: 'failed', error: { code: 'JAMMED' } });
      await d.reset();
      expect(d.status()).toMatchObject({ state: 'IDLE', alert: null });
    },
  );

  it('cancel stops scanimage; named pages stay and no partial page gets a final name', async () => {
    // Slow pages: every 4 KiB read waits 20 ms, so the cancel lands while a page is in progress.
    const d = device({
      ...FEEDER,
      'read-limit': 'yes',
      'read-limit-size': '4096',
      'read-delay': 'yes',
      'read-delay-duration': '20000',
    });
    let cancelled: Promise<void> | null = null;
    const result = await d.capture(
      request({
        dpi: 100,
        sink: slotsSink([], 1, (page) => {
          if (page.page === 2) cancelled = d.cancel();
        }),
      }),
    );
    await cancelled;
    expect(result).toMatchObject({ status: 'aborted', error: { code: 'ABORTED' } });
    expect(result.pages.length).toBeGreaterThanOrEqual(2);
    expect(result.pages.length).toBeLessThan(10);
    expect(masters()).toEqual(result.pages.map((p) => `page-${String(p.page).padStart(4, '0')}.tif`));
    for (const page of result.pages) expect(sha256(page.path)).toBe(page.sha256);
    expect(existsSync(spoolDirFor(mastersDir))).toBe(false);
    expect(d.status()).toMatchObject({ state: 'IDLE', flush: 'idle' });
  });

  it('refuses settings the scanner cannot honour before anything starts', async () => {
    const d = device();
    const dpi = await d.capture(request({ dpi: 1600 }));
    expect(dpi.error).toMatchObject({ code: 'UNSUPPORTED_SETTINGS' });
    expect(dpi.error!.message).toMatch(/1600 dpi.*1–1200 dpi/);
    const duplex = await d.capture(request({ source: 'duplex' }));
    expect(duplex.error!.message).toMatch(/no duplex source/);
    const option = await device({ 'no-such-option': '1' }).capture(request());
    expect(option.error!.message).toMatch(/no backend option "no-such-option"/);
    const frontend = await device({ 'batch-count': '1' }).capture(request());
    expect(frontend.error!.message).toMatch(/not a backend option/);
    const profile = await device({ mode: 'Color' }).capture(request());
    expect(profile.error!.message).toMatch(/"mode" comes from the scan profile/);
    expect(existsSync(mastersDir)).toBe(false);
  });

  it('one job at a time: a second capture while one runs is DEVICE_BUSY', async () => {
    const d = device();
    const first = d.capture(request({ pages: 2 }));
    const second = await d.capture(request({ jobId: 'B2', mastersDir: path.join(dir.path, 'B2') }));
    expect(second.error).toMatchObject({ code: 'DEVICE_BUSY' });
    expect((await first).status).toBe('complete');
  });

  it('says plainly when scanimage is missing, and nothing else breaks', async () => {
    const d = device(FEEDER, path.join(dir.path, 'no', 'scanimage'));
    expect(await d.probe()).toBe(false);
    expect(d.status()).toMatchObject({ state: 'OFFLINE' });
    expect(d.status().lastError).toMatch(/scanimage was not found.*sane-utils/);
    const result = await d.capture(request());
    expect(result).toMatchObject({
      status: 'failed',
      error: { code: 'SCANIMAGE_MISSING', transient: false },
    });
  });

  it('a device that is not there is OFFLINE with the reason', async () => {
    const d = new SaneDevice(
      { name: 'ghost', address: 'nosuchbackend:1', profile: { dpi: 50, mode: 'gray', bitDepth: 8 } },
      { env: sane.env },
    );
    d.connect();
    expect(await d.probe()).toBe(false);
    expect(d.status().state).toBe('OFFLINE');
    expect(d.status().lastError).toMatch(/nosuchbackend:1 could not be reached/);
  });
});
