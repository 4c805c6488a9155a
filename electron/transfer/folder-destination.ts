import { constants, createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { CHUNK, putBytes, type ByteStore, type ByteWriter } from './byte-resume';
import { TransferError, type Destination, type PackageTarget } from './destination';

export const INCOMING_SUFFIX = '.quire-incoming';
export const PARTIAL_SUFFIX = '.quire-part';

/** ENOSPC and EDQUOT are a full destination: retrying will not help until someone makes room. */
export function fullDestination(error: unknown, where: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG')
    return new TransferError(
      'DESTINATION_FULL',
      `${where} is full (${code}): make room and run the transfer again`,
    );
  return error;
}

const sizeOf = async (file: string): Promise<number | null> => {
  try {
    return (await fs.stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
};

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A mounted folder (an ingest share). A package is written under `<name>.quire-incoming/`, each
 * file first as `<file>.quire-part`, fsynced and renamed; after verification the folder is
 * renamed to `<name>`, so a watcher picking packages up never sees half of one.
 */
export class FolderDestination implements Destination {
  readonly verifiesBy = 'reading';
  readonly label: string;

  constructor(private readonly root: string) {
    this.label = `file://${root}`;
  }

  async open(packageName: string): Promise<PackageTarget> {
    const stat = await fs.stat(this.root).catch(() => null);
    if (!stat?.isDirectory())
      throw new TransferError(
        'BAD_DESTINATION',
        `destination folder ${this.root} does not exist (is the share mounted?)`,
      );
    const incoming = path.join(this.root, packageName + INCOMING_SUFFIX);
    const final = path.join(this.root, packageName);
    const local = (rel: string) => path.join(incoming, ...rel.split('/'));
    const store: ByteStore = {
      parallelWrites: 4,
      partialSize: (rel) => sizeOf(local(rel) + PARTIAL_SUFFIX),
      readPartial: (rel, length) =>
        createReadStream(local(rel) + PARTIAL_SUFFIX, { start: 0, end: length - 1, highWaterMark: CHUNK }),
      openPartial: async (rel, keep) => {
        const file = local(rel) + PARTIAL_SUFFIX;
        await fs.mkdir(path.dirname(file), { recursive: true });
        const handle = await fs.open(file, constants.O_RDWR | constants.O_CREAT, 0o644);
        await handle.truncate(keep);
        const writer: ByteWriter = {
          write: async (chunk, position) => {
            try {
              await handle.write(chunk, 0, chunk.length, position);
            } catch (error) {
              throw fullDestination(error, this.label);
            }
          },
          close: async () => {
            try {
              await handle.sync();
            } catch (error) {
              throw fullDestination(error, this.label);
            } finally {
              await handle.close();
            }
          },
          abort: () => handle.close(),
        };
        return writer;
      },
      commit: async (rel) => {
        await fs.rename(local(rel) + PARTIAL_SUFFIX, local(rel));
        await fsyncDir(path.dirname(local(rel)));
      },
      size: (rel) => sizeOf(local(rel)),
    };
    return {
      put: (file, progress, io) => putBytes(store, file, progress, io),
      size: store.size,
      read: (rel) => createReadStream(local(rel), { highWaterMark: CHUNK }),
      checkStored: () => Promise.resolve('this destination is verified by reading files back'),
      published: async () => (await fs.stat(final).catch(() => null)) !== null,
      publish: async () => {
        if (await fs.stat(final).catch(() => null))
          throw new TransferError(
            'ALREADY_EXISTS',
            `${final} already exists; nothing at the destination is replaced`,
          );
        await fs.rename(incoming, final);
        await fsyncDir(this.root);
      },
      close: () => Promise.resolve(),
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
