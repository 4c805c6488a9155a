import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../../shared/contract/index';
import type { CaptureRequest } from '../../../electron/scanner/device';
import { slotsSink } from '../../../electron/scanner/page-sink';
import { spoolDirFor } from '../../../electron/scanner/sane/sane-batch';
import { makeTempDir } from '../../helpers/temp-dir';
import {
  BACKEND_HANG_RETRY,
  handingOverAtEndScanimage,
  killScanimagesUnder,
  makeSaneTestEnv,
  saneSkipReason,
  testBackendDevice,
  testBackendRequest,
  type SaneTestEnv,
} from './sane-test-env';

const skip = saneSkipReason();
if (skip) console.log(`SANE record-failure tests skipped: ${skip}`);

/**
 * A page the station could not record (its database busy, full, failing) while the feeder went
 * on: the pages scanned after it are not kept, and their sheets are out of the feeder. Retried at
 * once, the next sheet would take their numbers; the scanner holds instead (sheet-in-doubt.ts).
 */
describe.skipIf(skip !== null)(
  'SANE: a page that could not be recorded',
  { retry: BACKEND_HANG_RETRY },
  () => {
    let dir: ReturnType<typeof makeTempDir>;
    let sane: SaneTestEnv;
    let mastersDir: string;

    beforeEach(() => {
      dir = makeTempDir('quire-sane-record-');
      sane = makeSaneTestEnv(dir.path);
      mastersDir = path.join(dir.path, 'B1', 'masters');
    });
    afterEach(() => {
      killScanimagesUnder(dir.path);
      dir.cleanup();
    });

    const device = (command?: string) =>
      testBackendDevice(sane, { 'test-picture': 'Color pattern' }, command);
    const request = (over: Partial<CaptureRequest> = {}) => testBackendRequest(mastersDir, over);
    const masters = () => (existsSync(mastersDir) ? readdirSync(mastersDir).sort() : []);

    it('after later sheets were fed holds the feeder, naming the pages not kept; the reset resumes from page 3', async () => {
      // Every page is whole in the spool before Quire takes the first (sane-test-env.ts).
      const d = device(handingOverAtEndScanimage(dir.path));
      const alerts: NonNullable<DeviceStatus['alert']>[] = [];
      d.on('alert', (alert) => alerts.push(alert));
      const named: number[] = [];
      // The station's database refuses page 2's record (SQLITE_BUSY) while the feeder has gone on.
      const sink = slotsSink([1, 2, 3, 4, 5, 6], null, (p) => {
        if (p.page === 2) throw new Error('SQLITE_BUSY: database is locked');
        named.push(p.page);
      });
      const held = await d.capture(request({ pages: 6, sink }));
      // Retried at once, the next sheet in the feeder would take page 3: held instead, like a jam.
      expect(held).toMatchObject({
        status: 'jammed',
        error: { code: 'SHEET_IN_DOUBT', transient: false },
        fault: { code: 'SHEET_IN_DOUBT' },
      });
      expect(held.error!.message).toBe(
        'page 2 could not be recorded (SQLITE_BUSY: database is locked); pages 3–6 were scanned after it and not kept: put those sheets back on top of the pages still to scan, then reset',
      );
      expect(held.fault!.message).toBe(held.error!.message);
      // Page 2 stays on disk under its name (the next run records it from there); 3–6 were not kept.
      expect(held.pages.map((p) => p.page)).toEqual([1, 2]);
      expect(named).toEqual([1]);
      expect(masters()).toEqual(['page-0001.tif', 'page-0002.tif']);
      expect(existsSync(spoolDirFor(mastersDir))).toBe(false);
      expect(d.status()).toMatchObject({ state: 'JAMMED', alert: { code: 'SHEET_IN_DOUBT', job: 'B1' } });
      expect(alerts).toHaveLength(1);
      expect(await d.capture(request())).toMatchObject({ status: 'failed', error: { code: 'JAMMED' } });

      // Once a person has put those sheets back and reset, the next run fills the pages from 3.
      await d.reset();
      const resumed = await d.capture(request({ pages: 4 }));
      expect(resumed).toMatchObject({ status: 'complete' });
      expect(resumed.pages.map((p) => p.page)).toEqual([3, 4, 5, 6]);
    });

    it('on the flatbed, nothing is in doubt: the failure is retried, and the pages not kept are named', async () => {
      const d = device(handingOverAtEndScanimage(dir.path));
      const sink = slotsSink([1, 2, 3], null, (p) => {
        if (p.page === 2) throw new Error('SQLITE_BUSY: database is locked');
      });
      const result = await d.capture(request({ pages: 3, source: 'flatbed', sink }));
      expect(result).toMatchObject({
        status: 'failed',
        fault: null,
        error: { code: 'PAGE_RECORD_FAILED', transient: true },
      });
      expect(result.error!.message).toBe(
        'page 2 is staged but could not be recorded: SQLITE_BUSY: database is locked; page 3 was delivered after it and not kept (nothing is numbered past a gap)',
      );
      expect(d.status().state).not.toBe('JAMMED');
    });
  },
);
