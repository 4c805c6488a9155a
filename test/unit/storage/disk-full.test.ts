import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PackagingError } from '../../../electron/pipeline/packaging/bag-io';
import { classify } from '../../../electron/queue/errors';
import {
  armWriteFault,
  checkWriteFault,
  diskFullMessage,
  diskSpace,
  isDiskFull,
  writeFileAtomic,
} from '../../../electron/storage/index';

/** SQLite's own error for a full database: a one-page database asked to grow. */
function realSqliteFull(): Error {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (x BLOB)');
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  try {
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(100_000));
  } catch (error) {
    return error as Error;
  } finally {
    db.close();
  }
  throw new Error('the database did not fill up');
}

describe('recognising a full disk', () => {
  it('knows ENOSPC, EDQUOT, SQLITE_FULL, a DISK_FULL packaging error and libvips wording, through causes', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const sqlite = realSqliteFull();
    expect(sqlite).toMatchObject({ code: 'SQLITE_FULL' });
    for (const error of [
      enospc,
      Object.assign(new Error('quota'), { code: 'EDQUOT' }),
      sqlite,
      new PackagingError('DISK_FULL', 'the disk is full: could not write x (ENOSPC)'),
      new Error('vips__file_write: write failed\nunix error: No space left on device'),
      new Error('wrapped', { cause: enospc }),
    ])
      expect(isDiskFull(error), String(error)).toBe(true);
    for (const error of [
      new Error('ECONNRESET'),
      Object.assign(new Error('x'), { code: 'EACCES' }),
      null,
      'text',
    ])
      expect(isDiskFull(error), String(error)).toBe(false);
    expect(classify(sqlite)).toBe('transient');
    expect(classify(enospc)).toBe('transient');
  });

  it('names it "disk full: …" once', () => {
    expect(diskFullMessage(new Error('database or disk is full'))).toBe(
      'disk full: database or disk is full',
    );
    expect(diskFullMessage(new Error('the disk is full: could not write a (ENOSPC)'))).toBe(
      'disk full: could not write a (ENOSPC)',
    );
    expect(diskFullMessage(new Error('disk full: already said'))).toBe('disk full: already said');
  });

  it('reports the free space of a folder’s file system', async () => {
    const space = await diskSpace(os.tmpdir());
    expect(space.totalBytes).toBeGreaterThan(0);
    expect(space.freeBytes).toBeGreaterThanOrEqual(0);
    expect(space.freeBytes).toBeLessThanOrEqual(space.totalBytes);
  });
});

describe('the write-fault hook', () => {
  it('fails writes below the armed folder with ENOSPC until disarmed, and no others', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'quire-fault-'));
    try {
      const disarm = armWriteFault(path.join(root, 'full'));
      await expect(writeFileAtomic(path.join(root, 'full', 'a', 'b.txt'), 'x')).rejects.toMatchObject({
        code: 'ENOSPC',
        message: expect.stringContaining('no space left on device'),
      });
      expect(() => checkWriteFault(path.join(root, 'fullness', 'x'))).not.toThrow();
      await writeFileAtomic(path.join(root, 'other.txt'), 'x');
      disarm();
      await writeFileAtomic(path.join(root, 'full', 'a', 'b.txt'), 'x', { noOverwrite: false });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
