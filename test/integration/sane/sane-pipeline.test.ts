import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerDriver } from '../../../electron/scanner/fleet';
import { SaneDevice } from '../../../electron/scanner/sane/sane-device';
import type { Station } from '../../../electron/station';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';
import {
  BACKEND_HANG_RETRY,
  brokenPageAsNextFeedsScanimage,
  failingScanimage,
  killScanimagesUnder,
  makeSaneTestEnv,
  saneSkipReason,
} from './sane-test-env';

const skip = saneSkipReason();
if (skip) console.log(`SANE pipeline test skipped: ${skip}`);

describe.skipIf(skip !== null)(
  'a batch on a SANE scanner through the whole pipeline',
  { retry: BACKEND_HANG_RETRY },
  () => {
    let dir: ReturnType<typeof makeTempDir>;
    let station: Station;
    let dispose: () => Promise<void>;
    let sane: ReturnType<typeof makeSaneTestEnv>;
    beforeEach(async () => {
      dir = makeTempDir('quire-sane-pipeline-');
      sane = makeSaneTestEnv(dir.path);
      ({ station, dispose } = await makeTestStation({ runWorkers: true }));
    });
    afterEach(async () => {
      killScanimagesUnder(dir.path);
      await dispose();
      registerDriver('sane', (options) => new SaneDevice(options));
      dir.cleanup();
    });

    /** Scanner sane-1: the station's own SANE driver, on SANE's test backend behind `command`. */
    const addScanner = (command: string) => {
      registerDriver('sane', (options) => new SaneDevice(options, { env: sane.env, command }));
      station.devices.add({
        name: 'sane-1',
        driver: 'sane',
        address: 'test',
        profile: { dpi: 50, mode: 'gray', bitDepth: 8 },
        driverOptions: { 'test-picture': 'Color pattern' },
      });
    };

    it.each([
      ['jams', 'jam', 'sane-1 jammed after 2 page(s)'],
      [
        'stops mid-sheet on a read error',
        'read-error',
        'sane-1 stopped after 2 page(s) were kept: page 3 was being scanned',
      ],
    ] as const)(
      '%s after two pages, waits for the reset, then completes with every page once and verify clean',
      async (_what, fault, history) => {
        const command = failingScanimage(dir.path, 2, fault);
        addScanner(command);
        const jammed = new Promise<void>((resolve) => {
          const stop = station.events.subscribe((e) => {
            if (e.name === 'device.status' && e.payload.name === 'sane-1' && e.payload.state === 'JAMMED') {
              stop();
              resolve();
            }
          });
        });
        const gray = { dpi: 50, mode: 'gray', bit_depth: 8, colour_profile: 'Gray Gamma 2.2' };
        await station.pipeline.create(
          exampleManifest({ batch_id: 'SANE-1', device: 'sane-1', scanner_profile: gray }),
          null,
        );
        await jammed;
        expect(station.pipeline.store.pages('SANE-1').map((p) => p.page)).toEqual([1, 2]);
        await station.pipeline.resetAfterJam('sane-1', { username: 'omar', role: 'operator' });
        const done = await untilBatch(station, 'SANE-1');
        expect(done).toMatchObject({ stage: 'completed', pagesDone: 4 });
        expect(station.pipeline.store.pages('SANE-1').map((p) => p.page)).toEqual([1, 2, 3, 4]);
        // The batch's history says why it stopped.
        expect(station.audit.forObject('SANE-1').map((e) => e.detail)).toContainEqual(
          expect.stringContaining(history),
        );
        const report = await station.pipeline.verify({ batchId: 'SANE-1' });
        expect(report).toMatchObject({ ok: true, findings: [] });
      },
      120_000,
    );

    it('a page it cannot keep while the next sheet feeds: that batch is quarantined and the scanner holds; after the reset the next batch completes', async () => {
      const gate = path.join(dir.path, 'gate');
      execFileSync('mkfifo', [gate]);
      const command = brokenPageAsNextFeedsScanimage(dir.path, 2, gate);
      addScanner(command);
      // Page 3 is handed over once sheet 4 is seen under way (sane-test-env.ts).
      let opened = false;
      const held = new Promise<void>((resolve) => {
        const stop = station.events.subscribe((e) => {
          if (e.name !== 'device.status' || e.payload.name !== 'sane-1') return;
          if (e.payload.page === 4 && !opened) {
            opened = true;
            void writeFile(gate, 'go\n');
          }
          if (e.payload.state === 'JAMMED') {
            stop();
            resolve();
          }
        });
      });
      const gray = { dpi: 50, mode: 'gray', bit_depth: 8, colour_profile: 'Gray Gamma 2.2' };
      const manifest = (id: string) =>
        exampleManifest({ batch_id: id, device: 'sane-1', scanner_profile: gray });
      await station.pipeline.create(manifest('SANE-A'), null);
      expect(await untilBatch(station, 'SANE-A')).toMatchObject({ stage: 'quarantined' });
      await held;
      expect(station.pipeline.store.pages('SANE-A').map((p) => p.page)).toEqual([1, 2]);
      expect(station.devices.list().find((d) => d.name === 'sane-1')).toMatchObject({
        state: 'JAMMED',
        alert: { code: 'SHEET_IN_DOUBT', job: 'SANE-A' },
      });

      // The next batch on that scanner runs once a person has reset it.
      await station.pipeline.create(manifest('SANE-B'), null);
      await station.pipeline.resetAfterJam('sane-1', { username: 'omar', role: 'operator' });
      expect(await untilBatch(station, 'SANE-B')).toMatchObject({ stage: 'completed', pagesDone: 4 });
      expect(station.pipeline.store.pages('SANE-B').map((p) => p.page)).toEqual([1, 2, 3, 4]);
      // The quarantined batch's history says the reset did not resume it.
      expect(station.audit.forObject('SANE-A').map((e) => e.detail)).toContainEqual(
        'omar cleared the feeder of sane-1 and reset it; the batch is quarantined, so its capture does not resume',
      );
      expect(await station.pipeline.verify({ batchId: 'SANE-B' })).toMatchObject({ ok: true, findings: [] });
    }, 120_000);
  },
);
