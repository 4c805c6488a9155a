import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectMastersMatchSent, listMasters, rig, sha256, type Rig } from './escl-harness';

/** The eSCL driver against the simulator's eSCL face, with no faults: what a working scanner gives. */
describe('eSCL capture from a working scanner', () => {
  let r: Rig;
  afterEach(async () => r?.close());

  it('reads the feeder until it is empty: every page once, in order, byte for byte, as TIFF', async () => {
    r = await rig({ sheets: 5 });
    const result = await r.device.capture(r.request());
    expect(result).toMatchObject({ status: 'complete', error: null });
    expect(result.pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 5]);
    expectMastersMatchSent(r);
    for (const page of result.pages) expect(sha256(readFileSync(page.path))).toBe(page.sha256);
    // The job is deleted when done, and no second job was ever started beside it.
    expect(r.sim.jobsCreated).toHaveLength(1);
    expect(r.sim.refusedWhileBusy).toBe(0);
    expect(r.sim.hostWithoutPort).toBe(0);
  });

  it('takes exactly the pages asked for, then deletes the job', async () => {
    r = await rig({ sheets: 10 });
    const result = await r.device.capture(r.request({ pages: 3 }));
    expect(result.status).toBe('complete');
    expect(result.pages).toHaveLength(3);
    expectMastersMatchSent(r);
    expect(r.sim.sheetsLeft).toBe(7);
    // The simulator's status shows the job cancelled by our DELETE and the scanner idle again.
    await r.device.refresh();
    expect(r.device.status().state).toBe('IDLE');
  });

  it('says who the scanner is and what it can do, from the device itself', async () => {
    r = await rig({ make: 'Acme', model: 'ScanStation 9', serial: 'SN-42', firmware: '7.1.3' });
    r.device.connect();
    await r.device.refresh();
    expect(r.device.identity()).toEqual({
      driver: 'escl',
      vendor: 'Acme',
      model: 'ScanStation 9',
      serial: 'SN-42',
      firmware: '7.1.3',
    });
    expect(r.device.status().identity).toEqual({
      vendor: 'Acme',
      model: 'ScanStation 9',
      serial: 'SN-42',
      firmware: '7.1.3',
    });
    expect(r.device.capabilities()).toEqual({
      sources: ['flatbed', 'feeder', 'duplex'],
      modes: ['color', 'gray', 'bw'],
      bitDepths: [1, 8, 16],
      resolutions: [75, 100, 150, 200, 300, 600],
      formats: ['tiff', 'png', 'jpeg'],
      maxArea: { widthMm: 12.7, heightMm: 19.1 },
    });
    expect(r.device.status()).toMatchObject({
      state: 'IDLE',
      adf: 'LOADED',
      host: '127.0.0.1',
      port: r.sim.port,
    });
    expect(r.device.probeDetails()).toMatchObject({
      driver: 'escl',
      uuid: r.sim.identity.uuid,
      scannerState: 'Idle',
      adfState: 'ScannerAdfLoaded',
      sources: [{ source: 'flatbed', documentFormats: ['image/tiff', 'image/png', 'image/jpeg'] }, {}, {}],
    });
  });

  it('prefers PNG when the scanner has no TIFF, and keeps the .png extension', async () => {
    r = await rig({ sheets: 2, formats: ['image/png', 'image/jpeg'] });
    const result = await r.device.capture(r.request());
    expect(result.status).toBe('complete');
    expectMastersMatchSent(r, 'png');
    expect(r.sim.sent.every((d) => d.format === 'image/png')).toBe(true);
  });

  it('refuses a lossy-only scanner unless the profile allows lossy masters', async () => {
    r = await rig({ sheets: 2, formats: ['image/jpeg'] });
    const refused = await r.device.capture(r.request());
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'UNSUPPORTED_PROFILE' } });
    expect(refused.error?.message).toMatch(/lossless/);
    expect(r.sim.jobsCreated).toHaveLength(0);
    const lossy = await r.device.capture(r.request({ allowLossy: true }));
    expect(lossy.status).toBe('complete');
    expectMastersMatchSent(r, 'jpg');
  });

  it('refuses a profile the scanner cannot honour before any sheet moves, naming its limits', async () => {
    r = await rig({ sheets: 2 });
    const result = await r.device.capture(r.request({ dpi: 1200 }));
    expect(result).toMatchObject({
      status: 'failed',
      error: { code: 'UNSUPPORTED_PROFILE', transient: false },
    });
    expect(result.error?.message).toContain('75, 100, 150, 200, 300, 600 dpi');
    expect(r.sim.jobsCreated).toHaveLength(0);
    expect(r.sim.sheetsLeft).toBe(2);
  });

  it.each(['bogus-host', 'broken-ipv6', 'relative'] as const)(
    'follows only the path of a %s Location, against the address it was given',
    async (location) => {
      r = await rig({ sheets: 2, location });
      const result = await r.device.capture(r.request());
      expect(result.status).toBe('complete');
      expectMastersMatchSent(r);
    },
  );

  it("reads HP's ScannedAdf… feeder states", async () => {
    r = await rig({ sheets: 0, adfStatePrefix: 'ScannedAdf' });
    await r.device.refresh();
    expect(r.device.status().adf).toBe('EMPTY');
    r.sim.loadSheets(1);
    await r.device.refresh();
    expect(r.device.status().adf).toBe('LOADED');
  });

  it('scans the flatbed when asked: one page', async () => {
    r = await rig({ sheets: 3 });
    const result = await r.device.capture(r.request({ source: 'flatbed', mode: 'gray', bitDepth: 16 }));
    expect(result.status).toBe('complete');
    expect(result.pages).toHaveLength(1);
    expectMastersMatchSent(r);
    expect(r.sim.sheetsLeft).toBe(3);
  });

  it('scans both sides from the duplex feeder: two pages a sheet, in order', async () => {
    r = await rig({ sheets: 2 });
    const result = await r.device.capture(r.request({ source: 'duplex' }));
    expect(result.status).toBe('complete');
    expect(result.pages).toHaveLength(4);
    expectMastersMatchSent(r);
    expect(r.sim.sheetsLeft).toBe(0);
  });

  it('never runs two jobs on one device: a second capture is refused while the first runs', async () => {
    r = await rig({
      sheets: 3,
      faults: [{ kind: 'slowBody', bytesPerSecond: 2_000_000, chunkBytes: 16_384 }],
    });
    const first = r.device.capture(r.request());
    const second = await r.device.capture(
      r.request({ jobId: 'K', mastersDir: path.join(r.masters, '..', '..', 'K') }),
    );
    expect(second).toMatchObject({ status: 'failed', error: { code: 'DEVICE_BUSY', transient: true } });
    expect((await first).status).toBe('complete');
    expect(r.sim.jobsCreated).toHaveLength(1);
    expectMastersMatchSent(r);
  });

  it('continues numbering after the pages already in the folder', async () => {
    r = await rig({ sheets: 2 });
    await r.device.capture(r.request());
    r.sim.loadSheets(2);
    const second = await r.device.capture(r.request());
    expect(second.pages.map((p) => p.page)).toEqual([3, 4]);
    expectMastersMatchSent(r);
    expect(listMasters(r.masters)).toHaveLength(4);
  });
});
