import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScanLinkSimulator } from '../../../electron/scanner/simulator/simulator';
import { runCli } from '../../helpers/cli';
import {
  compareWithTransmissions,
  soakManifest,
  startStationProcess,
  untilStagedMasters,
} from '../../helpers/soak-oracle';
import { makeTestStation } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * SIGKILL while a batch captures, then start the station again on the same folder: the pages
 * kept before the kill stay pages 1..k with their records and capture events, and the batch
 * goes on with page k+1. (Before, numbering resumed from the files while the records were
 * written only at the end, so pages 1..5 were orphaned and the package held 6..17.)
 */
describe('a station killed during capture', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let sim: ScanLinkSimulator;

  beforeEach(async () => {
    dir = makeTempDir('quire-crash-');
    sim = new ScanLinkSimulator({ sheets: null, feedMs: 40, captureMs: 10, stampPages: true });
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
    dir.cleanup();
  });

  it(
    'resumes after the pages it kept, and the package holds exactly 1..12 in order',
    { timeout: 90_000 },
    async () => {
      const dataDir = path.join(dir.path, 'station');
      const config = {
        dataDir,
        devices: [{ name: 'scanner-1', port: sim.port }],
        batches: [soakManifest('CR-1', 'scanner-1', 12)],
      };
      const first = startStationProcess(config, dir.path);
      await untilStagedMasters(dataDir, 'CR-1', 5);
      first.child.kill('SIGKILL');
      await first.exited;
      const kept = readdirSync(path.join(dataDir, 'staging', 'CR-1', 'masters')).filter((n) =>
        n.endsWith('.tif'),
      );
      expect(kept.length).toBeGreaterThanOrEqual(5);
      expect(kept.length).toBeLessThan(12); // killed mid-capture, or the test proves nothing

      const second = startStationProcess(config, dir.path);
      await second.until((l) => l.done === true);
      expect((await second.exited).code).toBe(0);

      const { station, dispose } = await makeTestStation({ dataDir });
      try {
        expect(compareWithTransmissions(station, 'CR-1', 12, sim.pagesSent)).toEqual([]);
        const captured = station.audit
          .forObject('CR-1')
          .filter((e) => e.type === 'capture')
          .map((e) => e.object)
          .sort();
        expect(captured).toEqual(
          Array.from({ length: 12 }, (_, i) => `CR-1/masters/page-${String(i + 1).padStart(4, '0')}.tif`),
        );
        const packaged = readdirSync(path.join(dataDir, 'packages', 'CR-1', 'data', 'masters')).sort();
        expect(packaged).toEqual(
          Array.from({ length: 12 }, (_, i) => `page-${String(i + 1).padStart(4, '0')}.tif`),
        );
      } finally {
        await dispose();
      }
      const verify = await runCli(['verify', '--data', dataDir]).done;
      expect(verify.json).toMatchObject({ ok: true, findings: [] });
      expect(verify.code).toBe(0);
    },
  );
});
