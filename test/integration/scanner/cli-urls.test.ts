import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScanLinkSimulator } from '../../../electron/scanner/simulator/simulator';
import { runCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';

describe('quire probe / capture with scanner URLs', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let sim: ScanLinkSimulator | undefined;

  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    dir.cleanup();
  });

  it('probe reads scanlink://HOST:PORT and reports driver, identity and capabilities', async () => {
    sim = new ScanLinkSimulator({ sheets: 1 });
    const port = await sim.start();
    const run = await runCli(['probe', `scanlink://127.0.0.1:${port}`]).done;
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({
      driver: 'scanlink',
      address: `127.0.0.1:${port}`,
      identity: { serial: sim.serial },
      capabilities: { sources: ['feeder'], formats: ['tiff'] },
    });
  });

  it('capture from scanlink://: pages in DIR/ID/masters with their real extension; a jam says "jam"', async () => {
    sim = new ScanLinkSimulator({
      sheets: 5,
      pageWidthInches: 0.5,
      pageHeightInches: 0.5,
      faults: [{ kind: 'jamAtPage', page: 3 }],
    });
    const port = await sim.start();
    const run = await runCli([
      'capture',
      `scanlink://127.0.0.1:${port}`,
      '--job',
      'J2',
      '--out',
      dir.path,
      '--pages',
      '4',
      '--dpi',
      '100',
      '--source',
      'adf',
    ]).done;
    expect(run.code).not.toBe(0);
    expect(run.json).toMatchObject({ status: 'jammed', outcome: 'jam', pages: [{ page: 1 }, { page: 2 }] });
    expect(readdirSync(path.join(dir.path, 'J2', 'masters'))).toEqual(['page-0001.tif', 'page-0002.tif']);
  });

  it('a driver this station lacks, or a URL of no known form, is a clear error that touches nothing', async () => {
    const missing = await runCli(['capture', 'sane:nonexistent-device', '--job', 'J', '--out', dir.path])
      .done;
    expect(missing.code).not.toBe(0);
    if ((missing.json as { error: { code: string } }).error.code === 'DRIVER_UNAVAILABLE')
      expect(missing.json).toMatchObject({ error: { message: expect.stringMatching(/no "sane" driver/) } });
    const bad = await runCli(['probe', 'ftp://10.0.0.1/x']).done;
    expect(bad.code).not.toBe(0);
    expect(readdirSync(dir.path)).toEqual([]);
  });
});
