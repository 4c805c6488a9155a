import type { Migration } from '../../storage/index';

/** The batch pipeline's tables. Append-only: add 2, 3… never edit a released one. */
export const BATCH_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'batches',
    sql: `
      CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        device TEXT NOT NULL,
        title TEXT NOT NULL,
        accession_numbers TEXT NOT NULL,      -- JSON array, also searched as text
        operator TEXT NOT NULL,
        manifest_json TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL,
        stage TEXT NOT NULL,
        pages_expected INTEGER,
        pages_done INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        package_path TEXT,
        quarantine_json TEXT,
        quarantined_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX batches_stage ON batches (stage, created_at);
      CREATE INDEX batches_device ON batches (device, created_at);

      CREATE TABLE batch_pages (
        batch_id TEXT NOT NULL REFERENCES batches (id),
        page INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        master_path TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        metadata_json TEXT,
        access_path TEXT,
        thumbnail_path TEXT,
        sidecar_path TEXT,
        captured_at TEXT NOT NULL,
        PRIMARY KEY (batch_id, page)
      );

      CREATE TABLE batch_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        batch_id TEXT NOT NULL REFERENCES batches (id),
        stage TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT NOT NULL,
        error TEXT,
        worker TEXT
      );
      CREATE INDEX batch_attempts_batch ON batch_attempts (batch_id, id);

      CREATE TABLE batch_decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        batch_id TEXT NOT NULL REFERENCES batches (id),
        decision TEXT NOT NULL CHECK (decision IN ('release', 'requeue', 'reject')),
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        note TEXT NOT NULL,
        pages_json TEXT
      );
    `,
  },
];
