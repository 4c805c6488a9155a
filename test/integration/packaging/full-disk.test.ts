import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeBagIo, type BagIo } from '../../../electron/pipeline/packaging/bag-io';
import { writePackage } from '../../../electron/pipeline/packaging/package';
import { makeTempDir } from '../../helpers/temp-dir';
import { stageBatch } from './fixtures/staged-batch';

/** Writes that fail like a full disk once `budget` bytes have been written. */
function fillingDisk(budget: number): BagIo {
  let left = budget;
  return {
    link: null,
    async create(file) {
      const real = await nodeBagIo.create(file);
      return {
        ...real,
        async write(data) {
          if (data.length > left) {
            left = 0;
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
          left -= data.length;
          await real.write(data);
        },
      };
    },
  };
}

describe('packaging on a full disk', () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    dir = makeTempDir('quire-full-');
  });
  afterEach(() => dir.cleanup());

  it('fails with a clear error part-way through a master and leaves no partial package', async () => {
    const packages = path.join(dir.path, 'packages');
    const input = await stageBatch(dir.path, 'B1', { pages: 3 });
    const stagedBefore = input.pages.map((p) => readFileSync(p.masterPath));
    // Room for page 1 and its derivatives, and half of page 2's master.
    const page1 = input.pages.find((p) => p.page === 1)!;
    const budget =
      page1.bytes +
      [page1.accessPath, page1.thumbnailPath, page1.sidecarPath].reduce((n, f) => n + statSync(f!).size, 0) +
      Math.floor(input.pages.find((p) => p.page === 2)!.bytes / 2);
    const error = await writePackage(input, { packagesDir: packages, io: fillingDisk(budget) }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'DISK_FULL' });
    expect((error as Error).message).toMatch(
      /disk is full.*data\/masters\/page-0002\.tif.*nothing was stored/,
    );
    expect(readdirSync(packages)).toEqual([]);
    input.pages.forEach((p, i) => expect(readFileSync(p.masterPath).equals(stagedBefore[i]!)).toBe(true));
  });

  it('fails while writing the tag files and keeps an existing package intact', async () => {
    const packages = path.join(dir.path, 'packages');
    const kept = await writePackage(await stageBatch(dir.path, 'B0'), { packagesDir: packages });
    const keptManifest = readFileSync(path.join(kept.path, 'manifest-sha256.txt'), 'utf8');
    const input = await stageBatch(dir.path, 'B1');
    const payloadBytes = input.pages.reduce((n, p) => n + p.bytes, 0) + 20_000;
    const error = await writePackage(input, { packagesDir: packages, io: fillingDisk(payloadBytes) }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'DISK_FULL' });
    expect(readdirSync(packages)).toEqual(['B0']);
    expect(readFileSync(path.join(kept.path, 'manifest-sha256.txt'), 'utf8')).toBe(keptManifest);
  });
});

/** A real small file system, when this process may mount one (root in a container or CI). */
const tmpfsRoot = makeTempDir('quire-tmpfs-');
const mountPoint = path.join(tmpfsRoot.path, 'disk');
function tryMount(): string | null {
  if (process.platform !== 'linux') return 'tmpfs is Linux-only';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  mkdirSync(mountPoint, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=160k', 'tmpfs', mountPoint], { encoding: 'utf8' });
  return r.status === 0 ? null : `mount failed: ${(r.stderr || r.error?.message || '').trim()}`;
}
const mountReason = tryMount();
if (mountReason) {
  console.warn(`skipping the tmpfs full-disk test: ${mountReason}`);
  tmpfsRoot.cleanup();
}

describe.skipIf(mountReason !== null)('packaging onto a real, nearly full tmpfs', () => {
  let staging: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    staging = makeTempDir('quire-tmpfs-staging-');
  });
  afterAll(() => {
    spawnSync('umount', [mountPoint]);
    tmpfsRoot.cleanup();
    staging.cleanup();
  });

  it('reports ENOSPC as a full disk and removes its partial folder', async () => {
    // Masters of about 64 kB each on a 160 kB disk: the second or third one cannot fit.
    const input = await stageBatch(staging.path, 'BIG', { pages: 4 });
    const { makeTiffPage } = await import('../../../electron/scanner/simulator/tiff-pages');
    const { writeFileSync } = await import('node:fs');
    const { createHash } = await import('node:crypto');
    for (const p of input.pages) {
      const tiff = await makeTiffPage(
        { widthInches: 2, heightInches: 2, dpi: 128, mode: 'gray', bitDepth: 8 },
        p.page,
      );
      writeFileSync(p.masterPath, tiff);
      p.bytes = tiff.length;
      p.sha256 = createHash('sha256').update(tiff).digest('hex');
    }
    const packages = path.join(mountPoint, 'packages');
    const error = await writePackage(input, { packagesDir: packages }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DISK_FULL' });
    expect((error as Error).message).toContain('ENOSPC');
    expect(existsSync(path.join(packages, 'BIG'))).toBe(false);
    expect(readdirSync(packages)).toEqual([]);
  });
});
