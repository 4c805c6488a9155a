import { createHash, type Hash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { commitPartFile, FileExistsError, PART_SUFFIX, pathExists } from '../storage/index';
import { checkImageStructure, ImageStructureError } from './image-structure';
import { MASTER_EXTENSIONS, MASTER_FILE_PATTERN, masterFileName, type MasterFormat } from './master-format';

export { MASTER_EXTENSIONS, masterFileName } from './master-format';

export interface CapturedPage {
  page: number;
  bytes: number;
  sha256: string;
  path: string;
  /** The master's real format, read from its bytes (the extension of `path` says the same). */
  format?: MasterFormat;
  /** False where the protocol announced no checksum: the SHA-256 is the one computed on arrival. */
  checksumAnnounced?: boolean;
}

/** A page whose bytes are no whole image (truncated, undecodable structure): never named. */
export class PageStructureError extends Error {
  override readonly name = 'PageStructureError';
  constructor(
    readonly page: number,
    readonly format: MasterFormat | null,
    readonly reason: string,
  ) {
    super(`page ${page}: ${reason}`);
  }
}

export class PageVerificationError extends Error {
  override readonly name = 'PageVerificationError';
  constructor(
    readonly page: number,
    readonly expected: { bytes: number; sha256: string },
    readonly actual: { bytes: number; sha256: string },
  ) {
    super(
      actual.bytes !== expected.bytes
        ? `page ${page}: received ${actual.bytes} bytes, PAGE_BEGIN announced ${expected.bytes}`
        : `page ${page}: SHA-256 ${actual.sha256} differs from PAGE_BEGIN's ${expected.sha256}`,
    );
  }
}

/** The highest page number already under a final name: a resumed job continues after it. */
export async function highestCompletedPage(mastersDir: string): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(mastersDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  return names.reduce((max, name) => Math.max(max, Number(MASTER_FILE_PATTERN.exec(name)?.[1] ?? 0)), 0);
}

/** Page bytes are gathered into a few reused 1 MiB buffers, so the disk sees large writes. */
const BUFFER_BYTES = 1024 * 1024;
const BUFFERS_PER_PAGE = 4;

/**
 * One page on its way to staging: bytes stream into `page-NNNN.tif.part` while being hashed;
 * only when the count and SHA-256 match PAGE_BEGIN is the file fsynced and linked to its final
 * name (never replacing an existing page) and the folder fsynced. A page that fails or is
 * interrupted never appears under a final name. Bytes are copied into a small set of reused
 * buffers that are written one after another; when all are waiting for the disk, `write`
 * returns false and `onceDrained` says when to go on, so the caller pauses the socket.
 */
export class PageWriter {
  private readonly hash: Hash = createHash('sha256');
  private received = 0;
  private readonly free: Buffer[] = Array.from({ length: BUFFERS_PER_PAGE }, () =>
    Buffer.allocUnsafe(BUFFER_BYTES),
  );
  private current: Buffer | null = null;
  private filled = 0;
  private writes: Promise<void> = Promise.resolve();
  private writeError: Error | null = null;
  private drainWaiters: Array<() => void> = [];
  private sealed: { bytes: number; sha256: string; format: MasterFormat } | null = null;

  private constructor(
    readonly page: number,
    private readonly mastersDir: string,
    /** The format the scanner announced; the bytes have the last word (see seal). */
    private readonly announced: MasterFormat,
    private readonly partPath: string,
    private readonly handle: fs.FileHandle,
    private readonly expected: { bytes: number; sha256: string } | null,
  ) {}

  /**
   * `expected`: the length and SHA-256 the protocol announced (ScanLink), checked before the
   * page is kept; null where the protocol announces none (eSCL, SANE): the SHA-256 computed
   * while the bytes arrived is what gets recorded.
   */
  static async open(
    mastersDir: string,
    page: number,
    expected: { bytes: number; sha256: string } | null,
    format: MasterFormat = 'tiff',
  ): Promise<PageWriter> {
    await fs.mkdir(mastersDir, { recursive: true });
    const partPath = path.join(mastersDir, masterFileName(page, format)) + PART_SUFFIX;
    // Exclusive create: a page is never written over another page's bytes, whether sealed or
    // still sealing (leftovers of an interrupted attempt are removed before a job starts), in
    // whatever format that page arrived.
    for (const other of Object.keys(MASTER_EXTENSIONS) as MasterFormat[]) {
      const existing = path.join(mastersDir, masterFileName(page, other));
      if (await pathExists(existing)) throw new FileExistsError(existing);
    }
    // Read as well as write: the structure check reads the file back before it is named.
    const handle = await fs.open(partPath, 'wx+');
    return new PageWriter(
      page,
      mastersDir,
      format,
      partPath,
      handle,
      expected && { bytes: expected.bytes, sha256: expected.sha256.toLowerCase() },
    );
  }

  /**
   * Takes bytes of the page. Returns false when every buffer is waiting for the disk (the
   * caller then waits for onceDrained). Bytes beyond what PAGE_BEGIN announced make the page
   * corrupt at once; they are not written.
   */
  write(chunk: Buffer): boolean {
    this.received += chunk.length;
    if (this.expected && this.received > this.expected.bytes) return true;
    this.hash.update(chunk);
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.current) {
        const next = this.free.pop();
        if (!next) throw new Error('PageWriter.write called while no buffer is free; wait for onceDrained');
        this.current = next;
        this.filled = 0;
      }
      const take = Math.min(chunk.length - offset, BUFFER_BYTES - this.filled);
      chunk.copy(this.current, this.filled, offset, offset + take);
      this.filled += take;
      offset += take;
      if (this.filled === BUFFER_BYTES) this.flushCurrent();
    }
    return this.free.length > 0;
  }

  private flushCurrent(): void {
    const buffer = this.current;
    const length = this.filled;
    this.current = null;
    this.filled = 0;
    if (!buffer || length === 0) {
      if (buffer) this.free.push(buffer);
      return;
    }
    this.writes = this.writes.then(async () => {
      try {
        if (!this.writeError) {
          let written = 0;
          while (written < length)
            written += (await this.handle.write(buffer, written, length - written)).bytesWritten;
        }
      } catch (error) {
        this.writeError ??= error as Error;
      } finally {
        this.free.push(buffer);
        this.wakeDrainWaiters();
      }
    });
  }

  onceDrained(callback: () => void): void {
    if (this.free.length > 0) callback();
    else this.drainWaiters.push(callback);
  }

  /** The page's final name: the extension of its real format once sealed, else the announced one. */
  get finalPath(): string {
    return path.join(this.mastersDir, masterFileName(this.page, this.sealed?.format ?? this.announced));
  }

  get receivedBytes(): number {
    return this.received;
  }

  /**
   * Verifies the page (announced length and SHA-256, then the image structure of its real
   * format, read back from the file) and makes its bytes durable (fsync) under the `.part`
   * name; throws PageVerificationError or PageStructureError, having discarded it, if it is
   * corrupt or not a whole image. `publish` names it after, with its real format's extension.
   */
  async seal(): Promise<{ bytes: number; sha256: string; format: MasterFormat }> {
    this.flushCurrent();
    await this.writes;
    this.free.length = 0; // every byte is written: the buffers can go while the fsync runs
    if (this.writeError) {
      await this.discard();
      throw this.writeError;
    }
    const expected = this.expected;
    const sha256 = expected && this.received > expected.bytes ? 'overrun' : this.hash.digest('hex');
    if (expected && (this.received !== expected.bytes || sha256 !== expected.sha256)) {
      await this.discard();
      throw new PageVerificationError(this.page, expected, { bytes: this.received, sha256 });
    }
    let format: MasterFormat;
    try {
      format = await checkImageStructure(this.handle, this.received);
    } catch (error) {
      await this.discard();
      if (error instanceof ImageStructureError)
        throw new PageStructureError(this.page, error.format, error.message);
      throw error;
    }
    try {
      await this.handle.sync();
      await this.handle.close();
    } catch (error) {
      await this.discard();
      throw error;
    }
    this.sealed = { bytes: this.received, sha256, format };
    return this.sealed;
  }

  /** Moves a sealed page under its final name (never over an existing file) and fsyncs the folder. */
  async publish(): Promise<CapturedPage> {
    if (!this.sealed) throw new Error(`page ${this.page} is published before it is sealed`);
    await commitPartFile(this.partPath, this.finalPath, { noOverwrite: true });
    return {
      page: this.page,
      ...this.sealed,
      path: this.finalPath,
      checksumAnnounced: this.expected !== null,
    };
  }

  /** Drops an interrupted or corrupt page: nothing of it remains. */
  async discard(): Promise<void> {
    await this.writes;
    await this.handle.close().catch(() => {});
    await fs.rm(this.partPath, { force: true });
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    waiters.forEach((w) => w());
  }
}
