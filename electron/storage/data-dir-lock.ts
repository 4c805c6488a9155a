import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * One station per data folder. Two processes on one folder would both recover "lost" jobs,
 * capture into one staging folder and number the same pages, so the folder is locked for as
 * long as a station runs on it.
 *
 * The lock is an operating-system lock, not a PID file: `<data>/quire.lock` is a small SQLite
 * database held in an EXCLUSIVE transaction for the station's lifetime. SQLite takes it as a
 * byte-range lock (fcntl on Unix, LockFileEx on Windows), which the kernel releases when the
 * process ends in any way, SIGKILL and power loss included, so a crashed station never leaves
 * a stale lock behind. Beside it, `quire.lock.json` says who holds it, for the refusal message.
 */
export const LOCK_FILE = 'quire.lock';
export const HOLDER_FILE = 'quire.lock.json';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export class DataFolderInUseError extends Error {
  override readonly name = 'DataFolderInUseError';
  readonly code = 'DATA_FOLDER_IN_USE';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      `the data folder ${dataDir} is in use by another Quire station (${
        holder
          ? `pid ${holder.pid} on ${holder.host}, "${holder.command}", since ${holder.since}`
          : 'holder unknown'
      }); stop that one first, or choose another folder with --data`,
    );
  }
}

export interface DataDirLock {
  readonly holder: LockHolder;
  release(): void;
}

/** Takes the data folder's lock, or throws DataFolderInUseError naming the holder. */
export function lockDataDir(root: string, now: () => number = Date.now): DataDirLock {
  mkdirSync(root, { recursive: true });
  const lockFile = path.join(root, LOCK_FILE);
  const holderFile = path.join(root, HOLDER_FILE);
  const db = new Database(lockFile, { timeout: 0 });
  try {
    // Exclusive locking mode keeps the lock between transactions too; the open transaction
    // takes it now instead of at the first write.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY')
      throw new DataFolderInUseError(root, readHolder(holderFile));
    throw error;
  }
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    command: commandLine(),
    since: new Date(now()).toISOString(),
  };
  // Written after the lock is ours, so it always describes the current holder (or a past one
  // for the moment between a crash and the next start, when nobody is refused anyway).
  const part = `${holderFile}.${process.pid}.part`;
  writeFileSync(part, JSON.stringify(holder) + '\n');
  renameSync(part, holderFile);
  let released = false;
  return {
    holder,
    release() {
      if (released) return;
      released = true;
      rmSync(holderFile, { force: true });
      db.close(); // ends the transaction and drops the OS lock
    },
  };
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return {
      pid: parsed.pid,
      host: parsed.host,
      command: String(parsed.command ?? 'unknown'),
      since: String(parsed.since ?? 'unknown'),
    };
  } catch {
    return null;
  }
}

/** `quire serve --data …` for the CLI, the executable's name for the app. */
function commandLine(): string {
  const [exe, script, ...args] = process.argv;
  const name = script && /cli\.c?js$/.test(script) ? 'quire' : path.basename(exe ?? 'node');
  return [name, ...args].join(' ').slice(0, 500);
}
