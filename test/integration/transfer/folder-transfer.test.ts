import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderDestination } from '../../../electron/transfer/folder-destination';
import {
  TokenBucket,
  transferPackage,
  type Destination,
  type PackageTarget,
} from '../../../electron/transfer/index';
import { folderDigest, freshStoreEachTest, makeBag, recorder } from './fixture';

const unlimited = () => new TokenBucket({ rate: null });

/** A destination whose connection "drops" once after `after` bytes have been written. */
function droppingOnce(inner: Destination, after: number): Destination {
  let written = 0;
  let dropped = false;
  return {
    label: inner.label,
    verifiesBy: inner.verifiesBy,
    close: () => inner.close(),
    open: async (name) => {
      const t = await inner.open(name);
      const wrapped: PackageTarget = {
        ...t,
        put: (file, progress, io) =>
          t.put(file, progress, {
            ...io,
            throttle: async (n) => {
              written += n;
              if (!dropped && written > after) {
                dropped = true;
                throw new Error('connection reset (simulated)');
              }
              await io.throttle(n);
            },
          }),
      };
      return wrapped;
    },
  };
}

describe('transfer to a mounted folder', () => {
  const t = freshStoreEachTest('quire-transfer-');

  it('sends, verifies, publishes under the final name and records a replication', async () => {
    const bag = makeBag(t.dir, 'B1', [300_000, 200_000]);
    const dest = path.join(t.dir, 'ingest');
    mkdirSync(dest);
    const audit = recorder();
    const result = await transferPackage({
      packageDir: bag,
      destination: new FolderDestination(dest),
      store: t.store,
      limiter: unlimited(),
      verify: 'all',
      recorder: audit,
      object: 'B1',
    });
    expect(result.verified).toBe(true);
    expect(readdirSync(dest)).toEqual(['B1']);
    const rels = [
      'bagit.txt',
      'manifest-sha256.txt',
      'data/masters/page-0001.tif',
      'data/access/page-0001.jpg',
    ];
    expect(folderDigest(path.join(dest, 'B1'), rels)).toEqual(folderDigest(bag, rels));
    expect(audit.events).toMatchObject([{ type: 'replication', outcome: 'success', object: 'B1' }]);
    expect(audit.events[0]!.detail).toContain(`file://${dest}`);

    // Run again: nothing is sent, and the completed package is not touched.
    const again = await transferPackage({
      packageDir: bag,
      destination: new FolderDestination(dest),
      store: t.store,
      limiter: unlimited(),
      verify: 'all',
    });
    expect(again).toMatchObject({ verified: true, bytesSent: 0 });
    expect(again.bytesSkipped).toBe(result.bytesSent);
  });

  it('resumes after a dropped connection, keeping only the intact prefix of a damaged partial file', async () => {
    const bag = makeBag(t.dir, 'B2', [3_000_000]);
    const dest = path.join(t.dir, 'ingest');
    mkdirSync(dest);
    await expect(
      transferPackage({
        packageDir: bag,
        destination: droppingOnce(new FolderDestination(dest), 1_500_000),
        store: t.store,
        limiter: unlimited(),
        verify: 'all',
        retries: 0,
      }),
    ).rejects.toThrow(/simulated/);
    const partial = path.join(dest, 'B2.quire-incoming', 'data/masters/page-0001.tif.quire-part');
    const present = readFileSync(partial);
    expect(present.length).toBeGreaterThan(500_000);
    expect(existsSync(path.join(dest, 'B2.quire-incoming', 'data/masters/page-0001.tif'))).toBe(false);
    // Damage the partial file half-way: only what precedes the damage may be kept.
    const damagedAt = 300_000;
    present[damagedAt] = present[damagedAt]! ^ 0xff;
    writeFileSync(partial, present);

    const result = await transferPackage({
      packageDir: bag,
      destination: new FolderDestination(dest),
      store: t.store,
      limiter: unlimited(),
      verify: 'all',
    });
    expect(result.verified).toBe(true);
    expect(result.bytesSkipped).toBeLessThanOrEqual(damagedAt);
    expect(result.bytesSkipped).toBeGreaterThan(0);
    const rels = ['data/masters/page-0001.tif'];
    expect(folderDigest(path.join(dest, 'B2'), rels)).toEqual(folderDigest(bag, rels));
  });

  it('reconnects after a dropped connection and sends only what is missing', async () => {
    const bag = makeBag(t.dir, 'B3', [2_000_000, 2_000_000]);
    const dest = path.join(t.dir, 'ingest');
    mkdirSync(dest);
    const result = await transferPackage({
      packageDir: bag,
      destination: droppingOnce(new FolderDestination(dest), 2_600_000),
      store: t.store,
      limiter: unlimited(),
      verify: 'sample',
      backoff: () => Promise.resolve(),
    });
    expect(result.verified).toBe(true);
    const total = result.bytesSent + result.bytesSkipped;
    // The first master arrived whole before the drop and is not sent again.
    expect(result.bytesSkipped).toBeGreaterThanOrEqual(2_000_000);
    expect(result.bytesSent).toBeLessThan(total);
  });

  it('does not complete a package changed at the destination before verification, and re-sends it next time', async () => {
    const bag = makeBag(t.dir, 'B4', [400_000]);
    const dest = path.join(t.dir, 'ingest');
    mkdirSync(dest);
    const audit = recorder();
    const victim = path.join(dest, 'B4.quire-incoming', 'data/masters/page-0001.tif');
    const result = await transferPackage({
      packageDir: bag,
      destination: new FolderDestination(dest),
      store: t.store,
      limiter: unlimited(),
      verify: 'all',
      recorder: audit,
      beforeVerify: async () => {
        const bytes = readFileSync(victim);
        bytes[1000] = bytes[1000]! ^ 0x01;
        writeFileSync(victim, bytes);
        await Promise.resolve();
      },
    });
    expect(result.verified).toBe(false);
    expect(result.errors.join()).toContain('data/masters/page-0001.tif');
    expect(existsSync(path.join(dest, 'B4'))).toBe(false);
    expect(t.store.get(result.transferId)?.state).toBe('failed');
    expect(audit.events).toMatchObject([{ type: 'replication', outcome: 'failure' }]);

    const again = await transferPackage({
      packageDir: bag,
      destination: new FolderDestination(dest),
      store: t.store,
      limiter: unlimited(),
      verify: 'all',
    });
    expect(again.verified).toBe(true);
    expect(again.bytesSent).toBeGreaterThanOrEqual(400_000);
    expect(t.store.get(again.transferId)?.state).toBe('complete');
  });
  it('refuses to send a package that lost a file its manifest lists, and records nothing', async () => {
    const bag = makeBag(t.dir, 'B9', [300_000, 200_000]);
    // A master lost from the station's disk after packaging (a bad sector, a mistaken delete).
    rmSync(path.join(bag, 'data/masters/page-0002.tif'));
    const dest = path.join(t.dir, 'ingest-lost');
    mkdirSync(dest);
    const audit = recorder();
    const sending = transferPackage({
      packageDir: bag,
      destination: new FolderDestination(dest),
      store: t.store,
      limiter: unlimited(),
      verify: 'all',
      recorder: audit,
      object: 'B9',
    });
    await expect(sending).rejects.toMatchObject({
      code: 'PACKAGE_INCOMPLETE',
      message: expect.stringMatching(
        /B9 does not match its own manifests, so nothing was sent: data\/masters\/page-0002\.tif is listed in manifest-sha256\.txt but is missing/,
      ),
    });
    expect(readdirSync(dest)).toEqual([]);
    expect(audit.events).toEqual([]);
  });

  it('refuses a payload file that no manifest lists', async () => {
    const bag = makeBag(t.dir, 'B10', [1_000]);
    writeFileSync(path.join(bag, 'data/masters/page-0002.tif'), 'slipped in');
    await expect(
      transferPackage({
        packageDir: bag,
        destination: new FolderDestination(path.join(t.dir, 'ingest')),
        store: t.store,
        limiter: unlimited(),
        verify: 'all',
      }),
    ).rejects.toThrow(/data\/masters\/page-0002\.tif is not listed in manifest-sha256\.txt/);
  });
});
