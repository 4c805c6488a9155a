import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  assertBetterSqliteLoads,
  betterSqliteBinding,
  nativeBindingOption,
  type NativeBinding,
} from './native-binding';

export type Db = Database.Database;

export type SynchronousMode = 'NORMAL' | 'FULL';

export interface OpenDatabaseOptions {
  /** FULL survives power loss with the last commit; NORMAL (WAL) may lose it but never corrupts. */
  synchronous?: SynchronousMode;
}

/**
 * Opens the station database: WAL, foreign keys, a busy timeout so the CLI and the app can
 * share one file. One owner per process; modules receive the handle, never open their own.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  makeOwnerOnly(file);
  const db = new Database(file, nativeBindingOption(runtimeBinding()));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Checkpoint the WAL every ~40 MB rather than every 4 MB: a checkpoint fsyncs, and the queue
  // writes a few pages per transition, so the default interval checkpointed every few dozen jobs.
  db.pragma('wal_autocheckpoint = 10000');
  return db;
}

/**
 * A station's database opened only to read it (an import into the lab, an inspection): SQLite
 * cannot write through this handle, so the file and its data are left as they were.
 */
export function openDatabaseReadOnly(file: string): Db {
  return new Database(file, {
    readonly: true,
    fileMustExist: true,
    ...nativeBindingOption(runtimeBinding()),
  });
}

let checkedBinding: NativeBinding | null = null;

/**
 * This runtime's build of better-sqlite3 (Node's or Electron's, see native-binding.ts), loaded
 * once per process before the first database opens, so a wrong or missing build fails with a
 * NativeModuleError naming the module, the runtime and the fix rather than the loader's text.
 */
function runtimeBinding(): NativeBinding {
  if (checkedBinding) return checkedBinding;
  const binding = betterSqliteBinding();
  assertBetterSqliteLoads(binding);
  checkedBinding = binding;
  return binding;
}

/**
 * The database holds password hashes and the audit index: owner-only (0600). SQLite gives its
 * -wal and -shm files the database file's mode, so creating the file first covers them too;
 * ones left by an older version are tightened as well.
 */
function makeOwnerOnly(file: string): void {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return;
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}

/** One append-only migration: never edit or reorder a released one; add the next number. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Applies a module's migrations in order inside one IMMEDIATE transaction each, recording them
 * in `schema_version(module, version)`. Each module (queue, audit, catalog, …) keeps its own
 * numbered list, so modules evolve their tables independently.
 */
export function migrate(db: Db, module: string, migrations: readonly Migration[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    module TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (module, version)
  )`);
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, index) => {
    if (m.version !== index + 1) {
      throw new Error(`${module} migrations must be numbered 1, 2, 3… without gaps (found ${m.version})`);
    }
  });
  const current = currentVersion(db, module);
  const record = db.prepare(
    'INSERT INTO schema_version (module, version, name, applied_at) VALUES (?, ?, ?, ?)',
  );
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(module, m.version, m.name, new Date().toISOString());
    }).immediate();
  }
  return currentVersion(db, module);
}

export function currentVersion(db: Db, module: string): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version WHERE module = ?').get(module) as
    { v: number | null } | undefined;
  return row?.v ?? 0;
}
