import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/logger';
import { writePackage } from '../../../electron/pipeline/packaging/package';
import { createStation } from '../../../electron/station';
import { armWriteFault } from '../../../electron/storage/index';
import { makeTempDir } from '../../helpers/temp-dir';
import { stageBatch } from './fixtures/staged-batch';

/** A half-built bag as a crash during packaging leaves it: a hidden folder with part of a payload. */
function leaveHalfBuiltBag(packages: string, batchId: string, suffix: string): string {
  const dir = path.join(packages, `.${batchId}.building-${suffix}`);
  mkdirSync(path.join(dir, 'data', 'masters'), { recursive: true });
  writeFileSync(path.join(dir, 'data', 'masters', 'page-0001.tif'), 'partial');
  return dir;
}

describe('half-built packages', () => {
  let dir: ReturnType<typeof makeTempDir>;
  afterEach(() => dir.cleanup());

  it('are removed when a station starts on the folder, and nothing else is', async () => {
    dir = makeTempDir('quire-leftovers-');
    const packages = path.join(dir.path, 'packages');
    leaveHalfBuiltBag(packages, 'B1', '0123abcd');
    leaveHalfBuiltBag(packages, 'B.2', 'deadbeef');
    mkdirSync(path.join(packages, 'B3', 'data'), { recursive: true });
    mkdirSync(path.join(packages, '.notes'));

    // A database-only command does not hold the folder, so a station may be building: untouched.
    const reader = await createStation({ dataDir: dir.path, logger: silentLogger(), exclusive: false });
    await reader.close();
    expect(readdirSync(packages).sort()).toEqual([
      '.B.2.building-deadbeef',
      '.B1.building-0123abcd',
      '.notes',
      'B3',
    ]);

    const station = await createStation({ dataDir: dir.path, logger: silentLogger() });
    await station.close();
    expect(readdirSync(packages).sort()).toEqual(['.notes', 'B3']);
  });

  it("are removed, an earlier attempt's included, when packaging a batch fails on a full disk", async () => {
    dir = makeTempDir('quire-leftovers-');
    const packages = path.join(dir.path, 'packages');
    const input = await stageBatch(dir.path, 'B1', { pages: 2 });
    const earlier = leaveHalfBuiltBag(packages, 'B1', '00000000');
    const other = leaveHalfBuiltBag(packages, 'B10', '11111111');
    const disarm = armWriteFault(packages);
    try {
      const error = await writePackage(input, { packagesDir: packages }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DISK_FULL', message: expect.stringMatching(/ENOSPC/) });
    } finally {
      disarm();
    }
    expect(existsSync(earlier)).toBe(false);
    expect(existsSync(other)).toBe(true);
    expect(readdirSync(packages)).toEqual(['.B10.building-11111111']);
  });
});
