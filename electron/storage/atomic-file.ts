import { createHash } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { checkWriteFault } from './write-faults';

/**
 * Durable file writes. A file appears under its final name only once its bytes are on disk:
 * write to `<name>.part` → fsync → rename → fsync the folder (so the rename itself survives a
 * power cut). A crash at any point leaves either the old state or a `.part` file, never a
 * partial file under the final name.
 */

export const PART_SUFFIX = '.part';

/** fsync a directory so that a rename or create inside it is durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface AtomicWriteOptions {
  /** Refuse to replace an existing file (default true: nothing already stored is overwritten). */
  noOverwrite?: boolean;
}

export class FileExistsError extends Error {
  override readonly name = 'FileExistsError';
  constructor(readonly filePath: string) {
    super(`refusing to overwrite existing file ${filePath}`);
  }
}

/** Writes a small file (metadata, sidecars, manifests) atomically and returns its SHA-256. */
export async function writeFileAtomic(
  filePath: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<string> {
  const noOverwrite = options.noOverwrite ?? true;
  await fs.mkdir(path.dirname(filePath), { recursive: true });
  if (noOverwrite && (await pathExists(filePath))) throw new FileExistsError(filePath);
  const partPath = filePath + PART_SUFFIX;
  checkWriteFault(partPath);
  const handle = await fs.open(partPath, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await commitPartFile(partPath, filePath, { noOverwrite });
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Renames a fully written and fsynced `.part` file to its final name and fsyncs the folder.
 * With noOverwrite, uses link+unlink so an existing final file is never replaced, even by a
 * concurrent writer (rename would silently clobber it).
 */
export async function commitPartFile(
  partPath: string,
  finalPath: string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const noOverwrite = options.noOverwrite ?? true;
  checkWriteFault(finalPath, 'rename');
  if (noOverwrite) {
    try {
      await fs.link(partPath, finalPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(finalPath);
      throw error;
    }
    await fs.unlink(partPath);
  } else {
    await fs.rename(partPath, finalPath);
  }
  await fsyncDir(path.dirname(finalPath));
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Removes `.part` leftovers of an interrupted write below `dir`; returns what it removed. */
export async function removePartFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return removed;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith(PART_SUFFIX)) {
      const full = path.join(entry.parentPath, entry.name);
      await fs.unlink(full);
      removed.push(full);
    }
  }
  return removed;
}
