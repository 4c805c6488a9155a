import { createHash } from 'node:crypto';
import type pg from 'pg';
import { BATCH_TABLES } from './batch-tables';

/**
 * The lab database's schema, as numbered migrations that are only ever appended to: a released
 * migration is never edited (its SHA-256 is recorded when applied and checked at every start),
 * and a database newer than this Quire is refused rather than written with an older idea of it.
 */
export interface LabMigration {
  version: number;
  name: string;
  sql: string;
}

export const LAB_MIGRATIONS: readonly LabMigration[] = [
  {
    version: 1,
    name: 'stations',
    sql: `
      CREATE TABLE lab_stations (
        name        text PRIMARY KEY,
        first_seen  timestamptz NOT NULL DEFAULT now(),
        last_seen   timestamptz NOT NULL DEFAULT now(),
        software    text NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'audit chain',
    sql: `
      -- Each station's own hash-chained events, as it hashed them, anchored in one lab chain whose
      -- appends the database serialises (an advisory lock per append): many writers, no forks.
      CREATE TABLE lab_audit_events (
        lab_seq         bigint PRIMARY KEY,
        station         text NOT NULL,
        station_seq     bigint NOT NULL,
        id              text NOT NULL,
        type            text NOT NULL,
        at              text NOT NULL,
        outcome         text NOT NULL,
        detail          text NOT NULL,
        object          text NOT NULL,
        agent_software  text NOT NULL,
        agent_station   text NOT NULL,
        agent_person    text NOT NULL,
        prev_hash       text NOT NULL,
        hash            text NOT NULL,
        lab_prev_hash   text NOT NULL,
        lab_hash        text NOT NULL,
        UNIQUE (station, station_seq)
      );
      CREATE INDEX lab_audit_events_object ON lab_audit_events (object, lab_seq);
      -- The last append, written in the same transaction: a cut-off tail is found by verify.
      CREATE TABLE lab_audit_head (
        id       integer PRIMARY KEY CHECK (id = 1),
        lab_seq  bigint NOT NULL,
        lab_hash text NOT NULL
      );`,
  },
  {
    version: 3,
    name: 'batches',
    sql: BATCH_TABLES,
  },
  {
    version: 4,
    name: 'station imports',
    sql: `
      -- A single station's records moved into the lab (quire lab import): once per station,
      -- with what was counted on both sides.
      CREATE TABLE lab_station_imports (
        station      text PRIMARY KEY,
        imported_at  timestamptz NOT NULL DEFAULT now(),
        batches      integer NOT NULL,
        pages        integer NOT NULL,
        attempts     integer NOT NULL,
        decisions    integer NOT NULL,
        audit_events integer NOT NULL
      );`,
  },
  {
    version: 5,
    name: 'accounts and sessions',
    sql: `
      -- One set of people for the lab: whoever signs in at any station is checked here.
      CREATE TABLE lab_accounts (
        id             text PRIMARY KEY,
        username       text NOT NULL UNIQUE,
        display_name   text NOT NULL,
        role           text NOT NULL CHECK (role IN ('operator', 'supervisor')),
        password_hash  text NOT NULL,
        disabled       boolean NOT NULL DEFAULT false,
        created_at     timestamptz NOT NULL
      );
      -- Every signed-in console of every station. Each command checks its row (by primary key);
      -- disabling a person ends all their open rows in the same transaction.
      CREATE TABLE lab_sessions (
        id            text PRIMARY KEY,
        account_id    text NOT NULL REFERENCES lab_accounts (id),
        station       text NOT NULL,
        started_at    timestamptz NOT NULL,
        ended_at      timestamptz,
        ended_reason  text
      );
      CREATE INDEX lab_sessions_open_by_account ON lab_sessions (account_id) WHERE ended_at IS NULL;
      -- Failed sign-ins per username, wherever they were tried: guessing slows down lab-wide.
      CREATE TABLE lab_sign_in_failures (
        username         text PRIMARY KEY,
        failures         integer NOT NULL,
        last_failure_at  bigint NOT NULL,
        blocked_until    bigint NOT NULL
      );`,
  },
  {
    version: 6,
    name: 'batch mirror',
    sql: `
      -- Each station's own SQLite stays the first record of its batches; the lab holds a mirror
      -- of them (records/lab-batch-mirror.ts). A batch row keeps the station's number for the
      -- change it shows, so an older or repeated push never replaces a newer one.
      ALTER TABLE lab_batches ADD COLUMN station_change_seq bigint NOT NULL DEFAULT 0;
      -- How far each station's changes have reached the lab: its mirror resumes from here.
      CREATE TABLE lab_batch_mirror_marks (
        station     text PRIMARY KEY,
        change_seq  bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 7,
    name: 'catalog',
    sql: `
      -- One catalog for the lab, synced from the collection-management API by any station and
      -- read by all of them. Accession numbers and asset ids sort bytewise (COLLATE "C"), as on
      -- a station's SQLite, so an export pages through them in the same order on both.
      CREATE TABLE lab_catalog_records (
        accession_number  text COLLATE "C" PRIMARY KEY,
        record            jsonb NOT NULL,
        -- The content without synced_at: a sync rewrites a record only when this changes.
        content_hash      text NOT NULL,
        synced_at         text NOT NULL,
        synced_by         text NOT NULL
      );
      CREATE TABLE lab_catalog_runs (
        id            text PRIMARY KEY,
        station       text NOT NULL,
        api_base      text NOT NULL,
        state         text NOT NULL CHECK (state IN ('running', 'completed', 'failed')),
        total         integer,
        fetched       integer NOT NULL DEFAULT 0,
        upserted      integer NOT NULL DEFAULT 0,
        unchanged     integer NOT NULL DEFAULT 0,
        dead_letters  integer NOT NULL DEFAULT 0,
        started_at    timestamptz NOT NULL,
        finished_at   timestamptz,
        error         text
      );
      CREATE INDEX lab_catalog_runs_newest ON lab_catalog_runs (started_at DESC);
      CREATE TABLE lab_catalog_dead_letters (
        run_id    text NOT NULL REFERENCES lab_catalog_runs (id),
        asset_id  text COLLATE "C" NOT NULL,
        reason    text NOT NULL,
        status    integer,
        detail    text NOT NULL,
        issues    jsonb NOT NULL,
        attempts  integer NOT NULL,
        at        timestamptz NOT NULL,
        PRIMARY KEY (run_id, asset_id)
      );
      -- The dead letters are paged oldest first, for one run or for all of them.
      CREATE INDEX lab_catalog_dead_letters_by_run ON lab_catalog_dead_letters (run_id, at, asset_id);
      CREATE INDEX lab_catalog_dead_letters_by_time ON lab_catalog_dead_letters (at, asset_id);`,
  },
  {
    version: 8,
    name: 'lab settings',
    sql: `
      -- The settings the lab's stations share (SETTINGS_SCOPE in records/settings-records.ts
      -- names them); each station keeps its name, training mode and disk warning in its own
      -- SQLite. One row, changed under an advisory lock so that changes made at two stations at
      -- once apply one after the other; revision counts the changes.
      CREATE TABLE lab_settings (
        id          integer PRIMARY KEY CHECK (id = 1),
        settings    jsonb NOT NULL,
        revision    bigint NOT NULL DEFAULT 1,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        updated_by  text NOT NULL
      );`,
  },
  {
    version: 9,
    name: 'batch page extent',
    sql: `
      -- The highest page a batch ever reached, kept or not (the station's page_extent): a sheet
      -- that left the feeder without a kept page is owed by its batch, and the lab's review
      -- lists it as missing, as the station's own does.
      ALTER TABLE lab_batches ADD COLUMN page_extent integer NOT NULL DEFAULT 0;`,
  },
];

/** Any value fixed for the lab: every station takes the same lock before migrating. */
const MIGRATION_LOCK = 727_171_001;

export const migrationChecksum = (m: LabMigration) => createHash('sha256').update(m.sql).digest('hex');

export class LabSchemaError extends Error {
  override readonly name = 'LabSchemaError';
}

/**
 * Brings the lab database up to date: one migration per transaction, under an advisory lock so
 * that stations starting together apply each migration once. Returns the versions applied now.
 */
export async function migrateLab(
  pool: pg.Pool,
  migrations: readonly LabMigration[] = LAB_MIGRATIONS,
): Promise<{ applied: number[]; version: number }> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new LabSchemaError(`migration ${m.name} is numbered ${m.version}, not ${i + 1}`);
  });
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS lab_schema_version (
         version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number; name: string; sha256: string }>(
      'SELECT version, name, sha256 FROM lab_schema_version ORDER BY version',
    );
    for (const row of rows) {
      const known = migrations[row.version - 1];
      if (!known)
        throw new LabSchemaError(
          `the lab database is at schema version ${rows.at(-1)!.version}, newer than this Quire knows (${migrations.length}): update Quire on this station`,
        );
      if (migrationChecksum(known) !== row.sha256)
        throw new LabSchemaError(
          `lab migration ${row.version} (${row.name}) differs from the one applied: migrations are append-only`,
        );
    }
    const applied: number[] = [];
    for (const m of migrations.slice(rows.length)) {
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO lab_schema_version (version, name, sha256) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          migrationChecksum(m),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new LabSchemaError(
          `lab migration ${m.version} (${m.name}) failed: ${(error as Error).message}`,
        );
      }
      applied.push(m.version);
    }
    return { applied, version: migrations.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}
