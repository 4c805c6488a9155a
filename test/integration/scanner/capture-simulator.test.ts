import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ScanLinkDevice,
  type ScanLinkConfig as DeviceConfig,
} from '../../../electron/scanner/scanlink/scanlink-device';
import { ScanLinkSimulator, type SimulatorOptions } from '../../../electron/scanner/simulator/simulator';
import { makeTempDir } from '../../helpers/temp-dir';

// Small pages (0.5 × 0.7 in at 100 dpi) keep the suite fast; the capture path is the same.
const SMALL = { pageWidthInches: 0.5, pageHeightInches: 0.7 };
const REQUEST = { dpi: 100, mode: 'gray' as const, bitDepth: 8 as const };

describe('capture from the simulator over loopback', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let sim: ScanLinkSimulator;
  let device: ScanLinkDevice;
  let masters: string;

  async function setup(options: SimulatorOptions = {}) {
    sim = new ScanLinkSimulator({ sheets: 5, ...SMALL, ...options });
    const port = await sim.start();
    const config: DeviceConfig = {
      name: 'sim-t',
      host: '127.0.0.1',
      port,
      profile: { dpi: 100, mode: 'gray', bitDepth: 8 },
    };
    device = new ScanLinkDevice({
      config,
      simulated: true,
      readyTimeoutMs: 5000,
      connection: { reconnectInitialMs: 20, reconnectMaxMs: 100 },
    });
    device.connect();
  }

  beforeEach(() => {
    dir = makeTempDir();
    masters = path.join(dir.path, 'B1', 'masters');
  });
  afterEach(async () => {
    device?.disconnect();
    await sim?.stop();
    dir.cleanup();
  });

  const finalFiles = () => (existsSync(masters) ? readdirSync(masters).sort() : []);
  const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

  it('captures every requested page, verified, under page-NNNN.tif', async () => {
    await setup();
    const result = await device.capture({ jobId: 'B1', pages: 3, mastersDir: masters, ...REQUEST });
    expect(result).toMatchObject({ status: 'complete', error: null });
    expect(finalFiles()).toEqual(['page-0001.tif', 'page-0002.tif', 'page-0003.tif']);
    for (const page of result.pages) expect(sha(page.path)).toBe(page.sha256);
  });

  it('captures until the feeder is empty when no page count is given', async () => {
    await setup({ sheets: 4 });
    const result = await device.capture({ jobId: 'B1', pages: null, mastersDir: masters, ...REQUEST });
    expect(result.status).toBe('complete');
    expect(result.pages).toHaveLength(4);
  });

  it('is free again only after JOB_END and a drained buffer, then takes the next job', async () => {
    await setup({ sheets: 6, flushBytesPerSecond: 2_000_000 });
    const first = await device.capture({ jobId: 'B1', pages: 2, mastersDir: masters, ...REQUEST });
    expect(first.status).toBe('complete');
    expect(device.isFree()).toBe(true);
    expect(device.status()).toMatchObject({ buffered: 0, flush: 'idle' });
    const second = await device.capture({
      jobId: 'B2',
      pages: 2,
      mastersDir: path.join(dir.path, 'B2', 'masters'),
      ...REQUEST,
    });
    expect(second.status).toBe('complete');
  });

  it('on a jam keeps the completed pages, raises an alert, and resumes numbering after RESET', async () => {
    await setup({ sheets: 6, faults: [{ kind: 'jamAtPage', page: 3 }] });
    const alert = new Promise((resolve) => device.once('alert', resolve));
    const jammed = await device.capture({ jobId: 'B1', pages: 5, mastersDir: masters, ...REQUEST });
    expect(jammed).toMatchObject({ status: 'jammed', error: { code: 'ADF_JAM' } });
    expect(jammed.pages.map((p) => p.page)).toEqual([1, 2]);
    await expect(alert).resolves.toMatchObject({ code: 'ADF_JAM' });
    expect(device.status().state).toBe('JAMMED');

    const refused = await device.capture({ jobId: 'B1', pages: 3, mastersDir: masters, ...REQUEST });
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'JAMMED', transient: false } });

    await device.reset();
    const resumed = await device.capture({ jobId: 'B1', pages: 3, mastersDir: masters, ...REQUEST });
    expect(resumed.status).toBe('complete');
    expect(resumed.pages.map((p) => p.page)).toEqual([3, 4, 5]);
    expect(finalFiles()).toEqual([
      'page-0001.tif',
      'page-0002.tif',
      'page-0003.tif',
      'page-0004.tif',
      'page-0005.tif',
    ]);
  });

  it('never puts a page with a wrong checksum under a final name, and keeps the good ones', async () => {
    await setup({ faults: [{ kind: 'corruptChecksum', page: 2 }] });
    const result = await device.capture({ jobId: 'B1', pages: 3, mastersDir: masters, ...REQUEST });
    expect(result).toMatchObject({
      status: 'failed',
      error: { code: 'CHECKSUM_MISMATCH', transient: false },
    });
    expect(result.checksumMismatches.map((m) => m.page)).toEqual([2]);
    expect(finalFiles()).toEqual(['page-0001.tif', 'page-0003.tif']);
  });

  it('discards the page in flight when the connection drops, and the job resumes without gaps', async () => {
    await setup({ sheets: 5, faults: [{ kind: 'dropMidPage', page: 2 }], dataFrameBytes: 512 });
    const interrupted = await device.capture({ jobId: 'B1', pages: 4, mastersDir: masters, ...REQUEST });
    expect(interrupted).toMatchObject({
      status: 'interrupted',
      error: { code: 'CONNECTION_LOST', transient: true },
    });
    expect(finalFiles()).toEqual(['page-0001.tif']);
    const resumed = await device.capture({ jobId: 'B1', pages: 3, mastersDir: masters, ...REQUEST });
    expect(resumed.status).toBe('complete');
    expect(finalFiles()).toEqual(['page-0001.tif', 'page-0002.tif', 'page-0003.tif', 'page-0004.tif']);
  });

  it('works when the scanner writes one byte at a time', async () => {
    await setup({ faults: [{ kind: 'byteAtATime' }] });
    const result = await device.capture({ jobId: 'B1', pages: 1, mastersDir: masters, ...REQUEST, dpi: 30 });
    expect(result.status).toBe('complete');
  });

  it('works through a status storm', async () => {
    await setup({ faults: [{ kind: 'statusStorm', perSecond: 500 }] });
    const result = await device.capture({ jobId: 'B1', pages: 3, mastersDir: masters, ...REQUEST });
    expect(result.status).toBe('complete');
  });

  it('captures colour 16-bit and bitonal pages as sent', async () => {
    await setup();
    const colour = await device.capture({
      jobId: 'B1',
      pages: 1,
      mastersDir: masters,
      dpi: 100,
      mode: 'color',
      bitDepth: 16,
    });
    const bw = await device.capture({
      jobId: 'B2',
      pages: 1,
      mastersDir: path.join(dir.path, 'B2'),
      dpi: 100,
      mode: 'bw',
      bitDepth: 1,
    });
    expect([colour.status, bw.status]).toEqual(['complete', 'complete']);
  });
});
