import { promises as fs } from 'node:fs';
import { checkWriteFault } from '../../storage/index';

/** A file being written into a bag. */
export interface WritableFile {
  write(data: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The file-system writes a bag is made of, injectable so that tests can make them fail the way
 * a full disk does (ENOSPC part-way through a master) without needing a small disk.
 */
export interface BagIo {
  /** Creates a new file (never opens an existing one). */
  create(file: string): Promise<WritableFile>;
  /** Hard-links a staged file into the bag; null when links are not to be used. */
  link: ((source: string, dest: string) => Promise<void>) | null;
}

export const nodeBagIo: BagIo = {
  async create(file) {
    checkWriteFault(file, 'open');
    const handle = await fs.open(file, 'wx');
    return {
      write: async (data) => {
        let offset = 0;
        while (offset < data.length) {
          const { bytesWritten } = await handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  link: async (source, dest) => {
    checkWriteFault(dest, 'link');
    await fs.link(source, dest);
  },
};

export type PackagingErrorCode = 'DISK_FULL' | 'WRITE_FAILED' | 'SOURCE_CHANGED' | 'SOURCE_MISSING';

/** A packaging failure with a code a console or script can act on; `cause` keeps the OS error. */
export class PackagingError extends Error {
  override readonly name = 'PackagingError';
  constructor(
    readonly code: PackagingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Turns an OS error while writing `what` into a PackagingError that says what happened. */
export function writeFailure(error: unknown, what: string, target: string): PackagingError {
  if (error instanceof PackagingError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const untouched = `nothing was stored at ${target}; staged files are unchanged`;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new PackagingError(
      'DISK_FULL',
      `the disk is full: could not write ${what} (${code}); ${untouched}`,
      {
        cause: error,
      },
    );
  if (code === 'ENOENT')
    return new PackagingError('SOURCE_MISSING', `${what}: a source file is missing; ${untouched}`, {
      cause: error,
    });
  return new PackagingError(
    'WRITE_FAILED',
    `could not write ${what}: ${(error as Error).message}; ${untouched}`,
    { cause: error },
  );
}
