import type { Migration } from '../../storage/index';

/** The next change number, given to the batch `id` (an SQL expression) in the triggers below. */
const renumber = (id: string, condition = '') =>
  `UPDATE batches SET change_seq = (SELECT MAX(change_seq) FROM batches) + 1 WHERE id = ${id}${condition};`;

/**
 * A batch's pages, attempts and decisions are part of it: inserting, changing or deleting one
 * numbers its batch again (both batches, should a row ever move from one to another).
 */
const childChangeTriggers = (table: string) => `
      CREATE TRIGGER ${table}_changed_on_insert AFTER INSERT ON ${table} BEGIN
        ${renumber('NEW.batch_id')}
      END;
      CREATE TRIGGER ${table}_changed_on_update AFTER UPDATE ON ${table} BEGIN
        ${renumber('NEW.batch_id')}
        ${renumber('OLD.batch_id', ' AND OLD.batch_id <> NEW.batch_id')}
      END;
      CREATE TRIGGER ${table}_changed_on_delete AFTER DELETE ON ${table} BEGIN
        ${renumber('OLD.batch_id')}
      END;`;

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
  {
    version: 2,
    name: 'batch change order',
    sql: `
      -- The order of the station's batch changes, for the lab's mirror (records/lab-batch-mirror.ts):
      -- any change to a batch or to its pages, attempts or decisions gives that batch the next
      -- number after the highest any batch holds, so "everything changed since N" is one indexed
      -- read and a mirror that holds up to N misses nothing numbered after it.
      ALTER TABLE batches ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
      -- Existing batches get 1..N in the order they were written (rowid: no O(N²) self-count).
      CREATE TEMP TABLE batch_change_numbers (batch_rowid INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
      INSERT INTO batch_change_numbers (batch_rowid, seq)
        SELECT rowid, row_number() OVER (ORDER BY rowid) FROM batches;
      UPDATE batches SET change_seq = (SELECT seq FROM batch_change_numbers WHERE batch_rowid = batches.rowid);
      DROP TABLE batch_change_numbers;
      CREATE INDEX batches_change_seq ON batches (change_seq);

      -- A write that sets change_seq itself (these triggers' own) is not a change to number again;
      -- with that WHEN the update below cannot loop even where recursive triggers are turned on.
      CREATE TRIGGER batches_changed_on_insert AFTER INSERT ON batches BEGIN
        ${renumber('NEW.id')}
      END;
      CREATE TRIGGER batches_changed_on_update AFTER UPDATE ON batches
        WHEN NEW.change_seq = OLD.change_seq BEGIN
        ${renumber('NEW.id')}
      END;
      ${['batch_pages', 'batch_attempts', 'batch_decisions'].map(childChangeTriggers).join('')}
    `,
  },
  {
    version: 3,
    name: 'page extent',
    sql: `
      -- The highest page slot the scanner reached for the batch, kept or not (a page that failed
      -- its checksum or was no whole image, pages delivered after one that could not be kept).
      -- A batch read until its feeder is empty knows how many pages it has only from what
      -- arrived: without this, a last page that was not kept would leave no gap to show it.
      -- Pages recorded count as reached without being copied here (no batch is rewritten, so
      -- none is numbered again for the lab's mirror): a page forgotten for a recapture is.
      ALTER TABLE batches ADD COLUMN page_extent INTEGER NOT NULL DEFAULT 0;
    `,
  },
];
