import { promises as fs } from 'node:fs';

/**
 * Full disks, as the station meets them: the operating system's ENOSPC or EDQUOT on a file
 * write, SQLite's SQLITE_FULL ("database or disk is full") on a commit, libvips' "No space left
 * on device" from an image write, or a packaging error that already said DISK_FULL.
 */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', 'DISK_FULL']);
const DISK_FULL_TEXT = /no space left on device|disk quota exceeded|database or disk is full|\bENOSPC\b/i;

/** Whether an error (or an error it wraps, through `cause`) means the disk is full. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && DISK_FULL_CODES.has(code)) return true;
    if (e instanceof Error && DISK_FULL_TEXT.test(e.message)) return true;
  }
  return false;
}

/** "disk full: <what failed>", the words operators and scripts look for. */
export function diskFullMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/^disk full\b/i.test(message)) return message;
  return `disk full: ${message.replace(/^the disk is full:\s*/i, '')}`;
}

/** Free space below which the station reports the disk as low (and, below a tenth of it, full). */
export const LOW_SPACE_BYTES = 1024 ** 3;
export const FULL_SPACE_BYTES = LOW_SPACE_BYTES / 10;

export interface DiskSpace {
  path: string;
  freeBytes: number;
  totalBytes: number;
  /** Under LOW_SPACE_BYTES free (or under 5% of a small disk). */
  low: boolean;
  /** Under FULL_SPACE_BYTES free, or writes have been failing with ENOSPC / SQLITE_FULL. */
  full: boolean;
}

/** Free space of the file system holding `dir`, as an unprivileged process may use it. */
export async function diskSpace(dir: string): Promise<DiskSpace> {
  const stats = await fs.statfs(dir);
  const freeBytes = stats.bavail * stats.bsize;
  const totalBytes = stats.blocks * stats.bsize;
  // A small disk (a test tmpfs, a USB stick) is low by proportion rather than by the fixed size.
  const lowBytes = Math.min(LOW_SPACE_BYTES, totalBytes * 0.05);
  const fullBytes = Math.min(FULL_SPACE_BYTES, totalBytes * 0.005);
  return { path: dir, freeBytes, totalBytes, low: freeBytes < lowBytes, full: freeBytes <= fullBytes };
}
