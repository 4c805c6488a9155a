import { createHash } from 'node:crypto';
import { migrate, type Db, type Migration } from '../storage/index';

/**
 * Transfer progress in the station database, per file: bytes that reached the destination
 * (folders, SFTP) or the multipart upload id and part ETags (S3). A transfer interrupted by a
 * crash reads it back and continues; the destination itself is always re-checked before
 * anything is appended to, so a stale row can cost a re-send but never a corrupt file.
 */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'transfers, per-file progress and pinned host keys',
    sql: `
      CREATE TABLE transfers (
        id TEXT PRIMARY KEY,
        package_dir TEXT NOT NULL,
        destination TEXT NOT NULL,
        state TEXT NOT NULL,
        bytes_total INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        updated_at TEXT NOT NULL,
        completed_at TEXT
      );
      CREATE TABLE transfer_files (
        transfer_id TEXT NOT NULL REFERENCES transfers(id) ON DELETE CASCADE,
        rel TEXT NOT NULL,
        size INTEGER NOT NULL,
        state TEXT NOT NULL,
        bytes_done INTEGER NOT NULL DEFAULT 0,
        upload_id TEXT,
        parts TEXT,
        PRIMARY KEY (transfer_id, rel)
      );
      CREATE TABLE transfer_host_keys (
        host TEXT PRIMARY KEY,
        algorithm TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        pinned_at TEXT NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'repository destinations configured by supervisors',
    sql: `
      CREATE TABLE transfer_destinations (
        name TEXT PRIMARY KEY,
        config TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );`,
  },
];

export type TransferState = 'sending' | 'verifying' | 'complete' | 'failed';
export type FileState = 'pending' | 'committed';

export interface UploadedPart {
  number: number;
  etag: string;
  checksum?: string;
  size: number;
}

export interface FileProgress {
  rel: string;
  size: number;
  state: FileState;
  bytesDone: number;
  uploadId: string | null;
  parts: UploadedPart[];
}

export interface TransferRow {
  id: string;
  packageDir: string;
  destination: string;
  state: TransferState;
  bytesTotal: number;
  error: string | null;
  completedAt: string | null;
}

export const transferId = (packageDir: string, destination: string): string =>
  createHash('sha256').update(`${destination}\n${packageDir}`).digest('hex').slice(0, 32);

export class TransferProgressStore {
  constructor(private readonly db: Db) {
    migrate(db, 'transfer', MIGRATIONS);
  }

  private now = () => new Date().toISOString();

  get(id: string): TransferRow | null {
    const row = this.db
      .prepare(
        `SELECT id, package_dir AS packageDir, destination, state, bytes_total AS bytesTotal, error,
           completed_at AS completedAt FROM transfers WHERE id = ?`,
      )
      .get(id) as TransferRow | undefined;
    return row ?? null;
  }

  list(): TransferRow[] {
    return this.db
      .prepare(
        `SELECT id, package_dir AS packageDir, destination, state, bytes_total AS bytesTotal, error,
           completed_at AS completedAt FROM transfers ORDER BY updated_at DESC`,
      )
      .all() as TransferRow[];
  }

  /**
   * Starts or resumes a transfer: files already known keep their progress unless their size
   * changed (a package rebuilt since), which resets them.
   */
  begin(id: string, packageDir: string, destination: string, files: { rel: string; size: number }[]): void {
    const total = files.reduce((s, f) => s + f.size, 0);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO transfers (id, package_dir, destination, state, bytes_total, updated_at)
           VALUES (?, ?, ?, 'sending', ?, ?)
           ON CONFLICT (id) DO UPDATE SET state = 'sending', bytes_total = excluded.bytes_total,
             error = NULL, updated_at = excluded.updated_at, completed_at = NULL`,
        )
        .run(id, packageDir, destination, total, this.now());
      const existing = this.db.prepare('SELECT size FROM transfer_files WHERE transfer_id = ? AND rel = ?');
      const insert = this.db.prepare(
        `INSERT OR REPLACE INTO transfer_files (transfer_id, rel, size, state, bytes_done) VALUES (?, ?, ?, 'pending', 0)`,
      );
      for (const f of files) {
        const row = existing.get(id, f.rel) as { size: number } | undefined;
        if (!row || row.size !== f.size) insert.run(id, f.rel, f.size);
      }
    })();
  }

  file(id: string, rel: string): FileProgress {
    const row = this.db
      .prepare(
        `SELECT rel, size, state, bytes_done AS bytesDone, upload_id AS uploadId, parts
         FROM transfer_files WHERE transfer_id = ? AND rel = ?`,
      )
      .get(id, rel) as (Omit<FileProgress, 'parts'> & { parts: string | null }) | undefined;
    if (!row) throw new Error(`no transfer progress for ${rel}`);
    return { ...row, parts: row.parts ? (JSON.parse(row.parts) as UploadedPart[]) : [] };
  }

  saveBytes(id: string, rel: string, bytesDone: number): void {
    this.db
      .prepare('UPDATE transfer_files SET bytes_done = ? WHERE transfer_id = ? AND rel = ?')
      .run(bytesDone, id, rel);
  }

  saveUpload(id: string, rel: string, uploadId: string | null, parts: UploadedPart[]): void {
    const done = parts.reduce((s, p) => s + p.size, 0);
    this.db
      .prepare(
        'UPDATE transfer_files SET upload_id = ?, parts = ?, bytes_done = ? WHERE transfer_id = ? AND rel = ?',
      )
      .run(uploadId, JSON.stringify(parts), done, id, rel);
  }

  commitFile(id: string, rel: string): void {
    this.db
      .prepare(
        `UPDATE transfer_files SET state = 'committed', bytes_done = size, upload_id = NULL, parts = NULL
         WHERE transfer_id = ? AND rel = ?`,
      )
      .run(id, rel);
  }

  /** A file that failed verification is sent again from the start next time. */
  resetFile(id: string, rel: string): void {
    this.db
      .prepare(
        `UPDATE transfer_files SET state = 'pending', bytes_done = 0, upload_id = NULL, parts = NULL
         WHERE transfer_id = ? AND rel = ?`,
      )
      .run(id, rel);
  }

  setState(id: string, state: TransferState, error: string | null = null): void {
    this.db
      .prepare(
        `UPDATE transfers SET state = ?, error = ?, updated_at = ?,
           completed_at = CASE WHEN ? = 'complete' THEN ? ELSE NULL END WHERE id = ?`,
      )
      .run(state, error, this.now(), state, this.now(), id);
  }

  pinnedHostKey(host: string): { algorithm: string; sha256: string } | null {
    const row = this.db
      .prepare('SELECT algorithm, sha256 FROM transfer_host_keys WHERE host = ?')
      .get(host) as { algorithm: string; sha256: string } | undefined;
    return row ?? null;
  }

  hostKeys(): { host: string; algorithm: string; sha256: string; pinnedAt: string }[] {
    return this.db
      .prepare('SELECT host, algorithm, sha256, pinned_at AS pinnedAt FROM transfer_host_keys ORDER BY host')
      .all() as { host: string; algorithm: string; sha256: string; pinnedAt: string }[];
  }

  /** The next connection pins whatever key the server then presents. */
  forgetHostKey(host: string): boolean {
    return this.db.prepare('DELETE FROM transfer_host_keys WHERE host = ?').run(host).changes > 0;
  }

  pinHostKey(host: string, algorithm: string, sha256: string): void {
    this.db
      .prepare('INSERT INTO transfer_host_keys (host, algorithm, sha256, pinned_at) VALUES (?, ?, ?, ?)')
      .run(host, algorithm, sha256, this.now());
  }
}
