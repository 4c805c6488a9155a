import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEsclSimulator, type EsclSimulator } from '../../../electron/scanner/simulator/escl/index';
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

  it('capture from an eSCL feeder whose page broke off says "sheet in doubt" and keeps the pages before', async () => {
    let escl: EsclSimulator | undefined;
    try {
      escl = await startEsclSimulator({
        sheets: 4,
        pageWidthInches: 0.5,
        pageHeightInches: 0.5,
        faults: [{ kind: 'dropMidPage', page: 2 }],
      });
      const run = await runCli(['capture', escl.url, '--job', 'J3', '--out', dir.path, '--source', 'adf'])
        .done;
      expect(run.code).not.toBe(0);
      expect(run.json).toMatchObject({
        status: 'jammed',
        outcome: 'sheet in doubt',
        fault: { code: 'SHEET_IN_DOUBT', message: expect.stringMatching(/^page 2 was being scanned/) },
        pages: [{ page: 1 }],
      });
      expect(readdirSync(path.join(dir.path, 'J3', 'masters'))).toEqual(['page-0001.tif']);
    } finally {
      await escl?.stop();
    }
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
