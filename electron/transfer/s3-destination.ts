import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type * as S3SdkModule from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

type S3Sdk = typeof S3SdkModule;
import { CHUNK } from './byte-resume';
import {
  TransferError,
  type Destination,
  type PackageTarget,
  type SourceFile,
  type UploadIo,
} from './destination';
import type { FileProgress, UploadedPart } from './progress-store';

export interface S3Options {
  bucket: string;
  /** Key prefix packages go under (no leading or trailing slash). */
  prefix: string;
  /** An S3-compatible server's URL; AWS when absent. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Send a SHA-256 with each part (servers that support it check it on arrival). */
  checksum: 'sha256' | 'none';
  /** Bytes per part, at least 5 MiB (S3's minimum for all but the last part). */
  partSize: number;
}

const MiB = 1024 * 1024;
const MAX_PARTS = 10_000;

/** The part size for a file: the configured one, grown so that no file needs more than 10 000 parts. */
export const partSizeFor = (size: number, configured: number): number =>
  Math.max(configured, Math.ceil(size / MAX_PARTS / MiB) * MiB);

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

interface PartDigest {
  md5: Buffer;
  sha256: Buffer;
  size: number;
}

/** Reads one part of a file (bounded: a part is a few MiB, never a whole master) and hashes it. */
async function readPart(
  file: string,
  start: number,
  size: number,
): Promise<{ body: Buffer; digest: PartDigest }> {
  const handle = await open(file, 'r');
  try {
    const body = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await handle.read(body, got, Math.min(CHUNK * 4, size - got), start + got);
      if (bytesRead === 0) throw new Error(`${file} ended early: it changed while being sent`);
      got += bytesRead;
    }
    return {
      body,
      digest: {
        md5: createHash('md5').update(body).digest(),
        sha256: createHash('sha256').update(body).digest(),
        size,
      },
    };
  } finally {
    await handle.close();
  }
}

const errorName = (error: unknown) => (error as { name?: string }).name ?? '';

/**
 * An S3-compatible bucket, with multipart uploads Quire drives itself so an upload survives a
 * restart: the upload id and each stored part's ETag are persisted, and a restarted transfer
 * sends only the parts the server does not already hold. Client checksums are computed only
 * when asked (`WHEN_REQUIRED`): the SDK's default trailing CRC checksums break many non-AWS
 * servers. Each part carries Content-MD5, which every S3 implementation checks, and a SHA-256
 * unless `checksum=none`. Objects appear only when complete; a marker object
 * `<package>.quire-verified.json` is written once the package is verified.
 */
export class S3Destination implements Destination {
  readonly verifiesBy = 'checksums';
  readonly label: string;
  /** The SDK loads on first use: it costs every station and CLI command about 0.2 s to load. */
  private sdk: Promise<{ s3: S3Sdk; client: S3Client }> | null = null;

  constructor(private readonly options: S3Options) {
    this.label = `s3://${options.bucket}/${options.prefix}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
  }

  private connect(): Promise<{ s3: S3Sdk; client: S3Client }> {
    const { options } = this;
    return (this.sdk ??= import('@aws-sdk/client-s3').then((s3) => ({
      s3,
      client: new s3.S3Client({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
        credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        // The engine reconnects and resumes itself; the SDK's own retries would hide a drop.
        maxAttempts: 2,
      }),
    })));
  }

  private key(packageName: string, rel: string): string {
    return [this.options.prefix, packageName, rel].filter(Boolean).join('/');
  }

  private async head(key: string) {
    try {
      return await (
        await this.connect()
      ).client.send(
        new (await this.connect()).s3.HeadObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          ChecksumMode: 'ENABLED',
        }),
      );
    } catch (error) {
      if (errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey') return null;
      throw error;
    }
  }

  /** Parts the server holds for an upload, or null when it cannot list them (s3rver). */
  private async serverParts(key: string, uploadId: string): Promise<Map<number, string> | null> {
    try {
      const out = new Map<number, string>();
      let marker: string | undefined;
      for (;;) {
        const page = await (
          await this.connect()
        ).client.send(
          new (await this.connect()).s3.ListPartsCommand({
            Bucket: this.options.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
        );
        for (const p of page.Parts ?? []) out.set(p.PartNumber!, (p.ETag ?? '').replace(/"/g, ''));
        if (!page.IsTruncated) return out;
        marker = page.NextPartNumberMarker;
      }
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload') return new Map();
      if (errorName(error) === 'NotImplemented' || errorName(error) === 'MethodNotAllowed') return null;
      throw error;
    }
  }

  private async put(
    packageName: string,
    file: SourceFile,
    progress: FileProgress,
    io: UploadIo,
  ): Promise<void> {
    const { bucket, checksum } = this.options;
    const key = this.key(packageName, file.rel);
    if (progress.state === 'committed' && (await this.head(key))?.ContentLength === file.size) {
      io.skipped(file.size);
      return;
    }
    const partSize = partSizeFor(file.size, this.options.partSize);
    const count = Math.max(1, Math.ceil(file.size / partSize));
    const sizeOf = (n: number) => (n < count ? partSize : file.size - partSize * (count - 1));
    let uploadId = progress.uploadId;
    let parts: UploadedPart[] = [];
    if (uploadId) {
      // Keep a saved part only if it still matches the local bytes and, where the server can
      // say, the server holds it with the same ETag.
      const held = await this.serverParts(key, uploadId);
      for (const p of progress.parts) {
        if (p.number > count || p.size !== sizeOf(p.number)) continue;
        if (held && held.get(p.number) !== p.etag) continue;
        const { digest } = await readPart(file.path, (p.number - 1) * partSize, p.size);
        if (digest.md5.toString('hex') === p.etag) parts.push(p);
      }
      if (held && held.size === 0 && progress.parts.length > 0) parts = [];
    }
    if (!uploadId || (parts.length === 0 && progress.parts.length > 0)) {
      const created = await (
        await this.connect()
      ).client.send(
        new (await this.connect()).s3.CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ...(checksum === 'sha256' ? { ChecksumAlgorithm: 'SHA256' } : {}),
        }),
      );
      uploadId = created.UploadId!;
      parts = [];
      io.saveUpload(uploadId, parts);
    }
    io.skipped(parts.reduce((s, p) => s + p.size, 0));
    const have = new Set(parts.map((p) => p.number));
    for (let n = 1; n <= count; n += 1) {
      if (have.has(n)) continue;
      const { body, digest } = await readPart(file.path, (n - 1) * partSize, sizeOf(n));
      for (let sent = 0; sent < body.length; sent += CHUNK)
        await io.throttle(Math.min(CHUNK, body.length - sent));
      const out = await (
        await this.connect()
      ).client.send(
        new (await this.connect()).s3.UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: n,
          Body: body,
          ContentLength: body.length,
          ContentMD5: digest.md5.toString('base64'),
          ...(checksum === 'sha256' ? { ChecksumSHA256: digest.sha256.toString('base64') } : {}),
        }),
      );
      const etag = (out.ETag ?? '').replace(/"/g, '');
      if (etag && etag !== digest.md5.toString('hex') && !/-/.test(etag))
        throw new Error(
          `${file.rel} part ${n}: the server stored ETag ${etag}, not the MD5 of what was sent`,
        );
      parts.push({
        number: n,
        etag: etag || digest.md5.toString('hex'),
        size: body.length,
        ...(checksum === 'sha256' ? { checksum: digest.sha256.toString('base64') } : {}),
      });
      io.saveUpload(uploadId, parts);
      io.sent(body.length);
    }
    try {
      await (
        await this.connect()
      ).client.send(
        new (await this.connect()).s3.CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [...parts]
              .sort((a, b) => a.number - b.number)
              .map((p) => ({
                PartNumber: p.number,
                ETag: `"${p.etag}"`,
                ...(p.checksum ? { ChecksumSHA256: p.checksum } : {}),
              })),
          },
        }),
      );
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload' || errorName(error) === 'InvalidPart') {
        // The server dropped the upload (expired, aborted): start this file again next attempt.
        io.saveUpload(null, []);
      }
      throw error;
    }
  }

  /**
   * Compares the object's stored size and checksum (SHA-256 where kept, else the ETag) with the
   * local file, read once, and the local file with the package's manifest digests: a master
   * changed on the station's disk since packaging would otherwise match its own upload.
   */
  private async checkStored(
    packageName: string,
    file: SourceFile,
    manifestDigests: ReadonlyMap<string, string>,
  ): Promise<string | null> {
    const head = await this.head(this.key(packageName, file.rel));
    if (!head) return 'missing at the destination';
    if (head.ContentLength !== file.size)
      return `${head.ContentLength} bytes stored, ${file.size} in the package`;
    const partSize = partSizeFor(file.size, this.options.partSize);
    const full = { md5: createHash('md5'), sha256: createHash('sha256') };
    // SHA-256 is hashed for the stored checksum anyway; other manifest algorithms on their own.
    const listed = [...manifestDigests]
      .filter(([algorithm]) => algorithm !== 'sha256')
      .map(([algorithm, digest]) => ({ algorithm, digest, hash: createHash(algorithm) }));
    const partMd5: Buffer[] = [];
    const partSha: Buffer[] = [];
    const count = Math.max(1, Math.ceil(file.size / partSize));
    for (let n = 1; n <= count; n += 1) {
      const size = n < count ? partSize : file.size - partSize * (count - 1);
      const { body, digest } = await readPart(file.path, (n - 1) * partSize, size);
      full.md5.update(body);
      full.sha256.update(body);
      listed.forEach((l) => l.hash.update(body));
      partMd5.push(digest.md5);
      partSha.push(digest.sha256);
    }
    const sha256 = full.sha256.digest('hex');
    const actual = [
      ...(manifestDigests.has('sha256')
        ? [{ algorithm: 'sha256', digest: manifestDigests.get('sha256')!, hex: sha256 }]
        : []),
      ...listed.map((l) => ({ algorithm: l.algorithm, digest: l.digest, hex: l.hash.digest('hex') })),
    ];
    for (const a of actual)
      if (a.hex !== a.digest)
        return `the station's copy has ${a.algorithm} ${a.hex}, the package's manifest says ${a.digest}: the file changed on this station's disk since packaging`;
    const md5 = full.md5.digest('hex');
    const compositeMd5 = `${createHash('md5').update(Buffer.concat(partMd5)).digest('hex')}-${count}`;
    if (head.ChecksumSHA256) {
      const composite = `${createHash('sha256').update(Buffer.concat(partSha)).digest('base64')}-${count}`;
      const whole = b64(sha256);
      return head.ChecksumSHA256 === composite || head.ChecksumSHA256 === whole
        ? null
        : `stored SHA-256 ${head.ChecksumSHA256} does not match the package's file`;
    }
    const etag = (head.ETag ?? '').replace(/"/g, '');
    if (!etag) return 'the destination stored neither a SHA-256 nor an ETag to compare';
    return etag === md5 || etag === compositeMd5
      ? null
      : `stored ETag ${etag} does not match the package's file`;
  }

  open(packageName: string): Promise<PackageTarget> {
    const marker = [this.options.prefix, `${packageName}.quire-verified.json`].filter(Boolean).join('/');
    return Promise.resolve({
      put: (file, progress, io) => this.put(packageName, file, progress, io),
      size: async (rel) => (await this.head(this.key(packageName, rel)))?.ContentLength ?? null,
      read: () => null,
      checkStored: (file, digests) => this.checkStored(packageName, file, digests),
      published: async () => (await this.head(marker)) !== null,
      publish: async () => {
        if (await this.head(marker))
          throw new TransferError(
            'ALREADY_EXISTS',
            `${marker} already exists at ${this.label}; nothing there is replaced`,
          );
        await (
          await this.connect()
        ).client.send(
          new (await this.connect()).s3.PutObjectCommand({
            Bucket: this.options.bucket,
            Key: marker,
            Body: JSON.stringify({ package: packageName, verifiedAt: new Date().toISOString() }),
            ContentType: 'application/json',
          }),
        );
      },
      close: () => Promise.resolve(),
    });
  }

  async close(): Promise<void> {
    if (this.sdk) (await this.sdk).client.destroy();
  }
}

/** `s3://bucket/prefix?endpoint=http://host:port&region=…&checksum=sha256|none&partSize=16M`. */
export function s3OptionsFromUrl(
  url: URL,
  secrets: { accessKeyId?: string; secretAccessKey?: string },
): S3Options {
  const q = url.searchParams;
  const accessKeyId = secrets.accessKeyId ?? process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = secrets.secretAccessKey ?? process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw new TransferError('AUTH_FAILED', `${url.origin}: S3 needs an access key (--credentials FILE)`);
  const checksum = q.get('checksum') ?? 'sha256';
  if (checksum !== 'sha256' && checksum !== 'none')
    throw new TransferError('BAD_DESTINATION', `checksum=${checksum}: use sha256 or none`);
  const partText = q.get('partSize') ?? '8M';
  const m = /^(\d+)([KMG]?)$/i.exec(partText);
  const partSize = m
    ? Number(m[1]) * ({ '': 1, K: 1024, M: MiB, G: 1024 * MiB }[m[2]!.toUpperCase()] ?? 1)
    : NaN;
  if (!(partSize >= 5 * MiB)) throw new TransferError('BAD_DESTINATION', `partSize=${partText}: at least 5M`);
  const endpoint = q.get('endpoint');
  return {
    bucket: url.hostname,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
    ...(endpoint ? { endpoint } : {}),
    region: q.get('region') ?? 'us-east-1',
    accessKeyId,
    secretAccessKey,
    checksum,
    partSize,
  };
}
