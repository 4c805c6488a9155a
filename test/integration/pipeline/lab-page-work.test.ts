import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { FatalError } from '../../../electron/queue/errors';
import { createImageWorkPool } from '../../../electron/pipeline/image-work';
import { labPageWork, registerPageJobs } from '../../../electron/pipeline/lab-page-work';
import type { DerivePage } from '../../../electron/pipeline/page-work';
import type { OcrEngine } from '../../../electron/ocr/index';
import { engineHarness } from '../../helpers/queue-harness';
import { makeTempDir } from '../../helpers/temp-dir';

// The lab's page work through the queue interface, in one process (the SQLite engine answers
// runAndAwait the same way BullMQ does; the multi-process run is test/integration/lab).
const PROFILE = { dpi: 300, mode: 'color' as const, bitDepth: 8 as const };

/** An engine that reads one word everywhere: the page job's plumbing, not recognition, is under test. */
const fakeEngine = (): OcrEngine => ({
  kind: 'tesseract',
  version: async () => '0.0-test',
  recognize: async (image) => {
    const box = { x: 1, y: 1, width: 10, height: 5 };
    const word = { ...box, text: 'harbour', confidence: 0.9 };
    return {
      width: image.width,
      height: image.height,
      blocks: [{ ...box, lines: [{ ...box, words: [word] }] }],
    };
  },
  close: async () => {},
});

async function master(file: string, green: number): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 10, g: green, b: 40 } } })
    .withMetadata({ density: 300 })
    .tiff()
    .toFile(file);
}

describe('lab page work', () => {
  const dirs: ReturnType<typeof makeTempDir>[] = [];
  let h: Awaited<ReturnType<typeof engineHarness>> | null = null;
  afterEach(async () => {
    await h?.close();
    dirs.forEach((d) => d.cleanup());
  });

  it('runs one job per page named relative to the storage root, returns results in page order, and reuses them for the same run', async () => {
    const share = makeTempDir('quire-share-');
    dirs.push(share);
    const staging = path.join(share.path, 'stations', 'desk-a', 'staging', 'B-1');
    const masters = [1, 2, 3].map((n) => path.join(staging, 'masters', `page-000${n}.tif`));
    await Promise.all(masters.map((file, i) => master(file, 60 * i)));
    h = await engineHarness('sqlite', null);
    registerPageJobs(h.queue, { root: share.path, images: createImageWorkPool(), ocrEngine: fakeEngine });
    await h.queue.start();
    const work = labPageWork(h.queue, share.path);
    const access = (n: number) => path.join(staging, 'derivatives', 'access', `page-000${n}.jpg`);
    const pages = [3, 1, 2].map((n) => ({ page: n, master: masters[n - 1]!, access: access(n) }));

    const run = { batchId: 'B-1', stage: 'qc' as const, runId: 'job-7' };
    const inspected = await work.inspect(run, PROFILE, pages);
    expect(inspected.map((r) => [r.page, r.meta?.width, r.accessWritten])).toEqual([
      [3, 300, true],
      [1, 300, true],
      [2, 300, true],
    ]);
    expect(inspected.flatMap((r) => r.findings).filter((f) => f.severity === 'error')).toEqual([]);
    const jobs = (await h.queue.list({ type: 'page.inspect' })).items;
    expect(jobs).toHaveLength(3);
    expect(jobs.map((j) => (j.payload as { master: string }).master).sort()).toEqual(
      [1, 2, 3].map((n) => `stations/desk-a/staging/B-1/masters/page-000${n}.tif`),
    );

    // The stage redelivered (same run): the completed page jobs answer; a new run works anew.
    expect(await work.inspect(run, PROFILE, pages)).toEqual(inspected);
    expect((await h.queue.list({ type: 'page.inspect' })).total).toBe(3);
    await work.inspect({ ...run, runId: 'job-8' }, PROFILE, pages.slice(0, 1));
    expect((await h.queue.list({ type: 'page.inspect' })).total).toBe(4);

    const done: number[] = [];
    const derive: DerivePage[] = [1, 2].map((n) => ({
      page: n,
      master: masters[n - 1]!,
      access: access(n),
      thumbnail: path.join(staging, 'derivatives', 'thumbnails', `page-000${n}.jpg`),
      sidecar: path.join(staging, 'metadata', `page-000${n}.xmp`),
      accessExists: true,
      capture: {
        batchId: 'B-1',
        page: n,
        device: 'sim-1',
        serial: 'S1',
        firmware: '1.0',
        dpi: 300,
        mode: 'color',
        bitDepth: 8,
        capturedAt: '2026-12-01T00:00:00.000Z',
        operator: 'omar',
        sha256: 'a'.repeat(64),
      },
    }));
    await work.derive({ batchId: 'B-1', stage: 'derivatives', runId: 'job-9' }, derive, (n) => done.push(n));
    expect(done).toEqual([1, 2]);
    for (const page of derive) expect(existsSync(page.thumbnail) && existsSync(page.sidecar)).toBe(true);

    const text = (n: number) => path.join(staging, 'ocr', `page-000${n}.txt`);
    const read = await work.ocr(
      { batchId: 'B-1', stage: 'ocr', runId: 'job-10' },
      [2, 1].map((n) => ({
        page: n,
        master: masters[n - 1]!,
        alto: path.join(staging, 'ocr', `page-000${n}.xml`),
        text: text(n),
        dpi: 300,
        languages: ['eng' as const],
      })),
    );
    expect(read).toEqual([
      { page: 2, engine: 'tesseract', version: '0.0-test' },
      { page: 1, engine: 'tesseract', version: '0.0-test' },
    ]);
    expect(readFileSync(text(1), 'utf8')).toMatch(/harbour/);
  });

  it('refuses a file outside the storage root: no station of the lab could reach it', async () => {
    const share = makeTempDir('quire-share-');
    const elsewhere = makeTempDir('quire-local-');
    dirs.push(share, elsewhere);
    h = await engineHarness('sqlite', null);
    registerPageJobs(h.queue, { root: share.path, images: createImageWorkPool(), ocrEngine: fakeEngine });
    const work = labPageWork(h.queue, share.path);
    const page = {
      page: 1,
      master: path.join(elsewhere.path, 'page-0001.tif'),
      access: path.join(share.path, 'a.jpg'),
    };
    const refused = await work
      .inspect({ batchId: 'B-2', stage: 'qc', runId: 'job-1' }, PROFILE, [page])
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FatalError);
    expect((refused as Error).message).toMatch(/is not under the lab storage root/);
    expect((await h.queue.list({})).total).toBe(0);
  });
});
