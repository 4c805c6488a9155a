import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TokenBucket,
  transferPackage,
  type Destination,
  type PackageTarget,
  type TransferProgressStore,
} from '../../../electron/transfer/index';
import { S3Destination, type S3Options } from '../../../electron/transfer/s3-destination';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeBag, openStore, recorder } from './fixture';

/**
 * Against s3rver on loopback. What s3rver lacks, and so what these tests cannot show:
 * - it neither checks nor stores x-amz-checksum-sha256 (the SHA-256 sent with each part), so
 *   verification here falls back to comparing ETags (MD5) with the local files;
 * - it has no ListParts, so a resumed upload trusts its saved part ETags after re-hashing the
 *   local parts, and relies on CompleteMultipartUpload to refuse a part the server lacks.
 */
const MiB = 1024 * 1024;

/** Throws once (a crash of the process, as far as the upload is concerned) after `after` bytes. */
function crashingOnce(inner: Destination, after: number): Destination {
  let seen = 0;
  let crashed = false;
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
              seen += n;
              if (!crashed && seen > after) {
                crashed = true;
                throw new Error('process killed (simulated)');
              }
              await io.throttle(n);
            },
          }),
      };
      return wrapped;
    },
  };
}

describe('transfer to S3-compatible storage (s3rver)', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let server: S3rver;
  let endpoint: string;
  let store: TransferProgressStore;
  let closeDb: () => void;
  let client: S3Client;

  beforeAll(async () => {
    dir = makeTempDir('quire-s3-');
    mkdirSync(path.join(dir.path, 's3'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: path.join(dir.path, 's3'),
      configureBuckets: [{ name: 'ingest', configs: [] }],
    });
    const address: AddressInfo = await server.run();
    endpoint = `http://127.0.0.1:${address.port}`;
    client = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
    dir?.cleanup();
  });
  beforeEach(() => {
    const opened = openStore(path.join(dir.path, `quire-${Math.random().toString(36).slice(2)}.db`));
    store = opened.store;
    closeDb = () => opened.db.close();
  });
  afterEach(() => closeDb());

  const options = (prefix: string): S3Options => ({
    bucket: 'ingest',
    prefix,
    endpoint,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    checksum: 'sha256',
    partSize: 5 * MiB,
  });
  const body = async (key: string) =>
    Buffer.from(
      await (
        await client.send(new GetObjectCommand({ Bucket: 'ingest', Key: key }))
      ).Body!.transformToByteArray(),
    );

  it('uploads in parts Quire drives, verifies the stored checksums and writes a verified marker', async () => {
    const bag = makeBag(dir.path, 'P1', [12 * MiB, 100_000]);
    const audit = recorder();
    const result = await transferPackage({
      packageDir: bag,
      destination: new S3Destination(options('repo')),
      store,
      limiter: new TokenBucket({ rate: null }),
      verify: 'all',
      recorder: audit,
    });
    expect(result).toMatchObject({ verified: true, bytesSkipped: 0 });
    expect(
      (await body('repo/P1/data/masters/page-0001.tif')).equals(
        readFileSync(path.join(bag, 'data/masters/page-0001.tif')),
      ),
    ).toBe(true);
    await client.send(new HeadObjectCommand({ Bucket: 'ingest', Key: 'repo/P1.quire-verified.json' }));
    expect(audit.events).toMatchObject([{ type: 'replication', outcome: 'success' }]);
  });

  it('resumes a multipart upload after a restart without re-sending the stored parts', async () => {
    const bag = makeBag(dir.path, 'P2', [16 * MiB]);
    await expect(
      transferPackage({
        packageDir: bag,
        destination: crashingOnce(new S3Destination(options('resume')), 11 * MiB),
        store,
        limiter: new TokenBucket({ rate: null }),
        verify: 'all',
        retries: 0,
      }),
    ).rejects.toThrow(/simulated/);
    // A new destination object, as after a restart: only the saved upload id and ETags carry over.
    const result = await transferPackage({
      packageDir: bag,
      destination: new S3Destination(options('resume')),
      store,
      limiter: new TokenBucket({ rate: null }),
      verify: 'all',
    });
    expect(result.verified).toBe(true);
    expect(result.bytesSkipped).toBe(10 * MiB);
    expect(result.bytesSent).toBeLessThan(7 * MiB);
  });

  it('fails verification when an object is replaced at the destination, and writes no marker', async () => {
    const bag = makeBag(dir.path, 'P3', [6 * MiB]);
    const result = await transferPackage({
      packageDir: bag,
      destination: new S3Destination(options('changed')),
      store,
      limiter: new TokenBucket({ rate: null }),
      verify: 'all',
      beforeVerify: async () => {
        await client.send(
          new PutObjectCommand({
            Bucket: 'ingest',
            Key: 'changed/P3/data/masters/page-0001.tif',
            Body: randomBytes(6 * MiB),
          }),
        );
      },
    });
    expect(result.verified).toBe(false);
    expect(result.errors.join()).toMatch(/page-0001\.tif: stored ETag/);
    await expect(
      client.send(new HeadObjectCommand({ Bucket: 'ingest', Key: 'changed/P3.quire-verified.json' })),
    ).rejects.toThrow();
    expect(store.get(result.transferId)?.state).toBe('failed');
  });
  it("fails verification when a master changed on the station's disk since packaging", async () => {
    const bag = makeBag(dir.path, 'P4', [300_000, 200_000]);
    // One byte flips in page 1's master (same size): the upload matches the changed file.
    const master = path.join(bag, 'data/masters/page-0001.tif');
    const bytes = readFileSync(master);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(master, bytes);
    const audit = recorder();
    const result = await transferPackage({
      packageDir: bag,
      destination: new S3Destination(options('flipped')),
      store,
      limiter: new TokenBucket({ rate: null }),
      verify: 'all',
      recorder: audit,
    });
    expect(result.verified).toBe(false);
    expect(result.errors.join()).toMatch(
      /page-0001\.tif: the station's copy has sha256 \w+, the package's manifest says \w+/,
    );
    expect(audit.events.filter((e) => e.outcome === 'success')).toEqual([]);
    await expect(
      client.send(new HeadObjectCommand({ Bucket: 'ingest', Key: 'flipped/P4.quire-verified.json' })),
    ).rejects.toThrow();
  });
});
