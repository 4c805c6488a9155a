import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScanLinkDevice } from '../../../electron/scanner/scanlink/scanlink-device';
import { PageWriter } from '../../../electron/scanner/page-writer';
import { ScanLinkSimulator } from '../../../electron/scanner/simulator/simulator';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * A page's fsync overlaps the next page's transfer, but pages must take their final names in
 * order: a resumed job continues after the highest named page, so page 2 named before page 1
 * would let a crash lose page 1 for good.
 */
describe('page naming while fsyncs overlap', () => {
  const dir = makeTempDir();
  let sim: ScanLinkSimulator;
  let device: ScanLinkDevice;
  afterEach(async () => {
    vi.restoreAllMocks();
    device?.disconnect();
    await sim?.stop();
  });

  /** Three small pages from a fresh simulator over loopback. */
  async function captureThreePages(jobId: string, masters: string) {
    sim = new ScanLinkSimulator({ sheets: 5, pageWidthInches: 0.5, pageHeightInches: 0.7 });
    const port = await sim.start();
    device = new ScanLinkDevice({
      config: { name: 'sim-o', host: '127.0.0.1', port, profile: { dpi: 100, mode: 'gray', bitDepth: 8 } },
      simulated: true,
      readyTimeoutMs: 5000,
    });
    device.connect();
    return device.capture({ jobId, pages: 3, mastersDir: masters, dpi: 100, mode: 'gray', bitDepth: 8 });
  }

  it('seals page 2 while page 1 is still on its way to the disk, yet names page 1 first', async () => {
    const masters = path.join(dir.path, 'B1', 'masters');
    const named = (page: number) => existsSync(path.join(masters, `page-000${page}.tif`));
    let releasePage1!: () => void;
    const page1Held = new Promise<void>((resolve) => (releasePage1 = resolve));
    const seal = PageWriter.prototype.seal;
    const published: number[] = [];
    const seenWhenPage2Sealed: boolean[] = [];
    vi.spyOn(PageWriter.prototype, 'seal').mockImplementation(async function (this: PageWriter) {
      const sealed = await seal.call(this);
      if (this.page === 1) await page1Held; // page 1's fsync is slow
      if (this.page === 2) {
        seenWhenPage2Sealed.push(named(1), named(2));
        releasePage1();
      }
      return sealed;
    });
    const publish = PageWriter.prototype.publish;
    vi.spyOn(PageWriter.prototype, 'publish').mockImplementation(async function (this: PageWriter) {
      published.push(this.page);
      return publish.call(this);
    });

    const result = await captureThreePages('B1', masters);

    expect(result.status).toBe('complete');
    // Page 2 was sealed while page 1 was held, so the two overlapped; neither had its name yet.
    expect(seenWhenPage2Sealed).toEqual([false, false]);
    expect(published).toEqual([1, 2, 3]);
    expect(result.pages.map((p) => p.page)).toEqual([1, 2, 3]);
  });

  it('names no later page once a page failed to reach the disk, and fails the capture', async () => {
    const masters = path.join(dir.path, 'B2', 'masters');
    const seal = PageWriter.prototype.seal;
    vi.spyOn(PageWriter.prototype, 'seal').mockImplementation(async function (this: PageWriter) {
      if (this.page !== 1) return seal.call(this);
      await this.discard();
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    });
    const result = await captureThreePages('B2', masters);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'STAGING_WRITE_FAILED' } });
    expect(result.pages).toEqual([]);
    expect(existsSync(masters) ? readdirSync(masters).filter((f) => f.endsWith('.tif')) : []).toEqual([]);
  });
});
