import type pg from 'pg';
import type { FakeClock } from '../../electron/core/clock';
import { openDatabase, type Db } from '../../electron/storage/index';
import { freshLabDatabase } from './lab-postgres';
import { startPostgres, withoutPostgres, type PostgresServer } from './postgres-server';
import { makeTempDir } from './temp-dir';

/**
 * Where a records behaviour suite runs: a station's SQLite and the lab's PostgreSQL, one set of
 * tests for both (a PostgreSQL engine skips when PostgreSQL is not installed).
 */
export interface RecordsEngine<T> {
  name: string;
  skip: boolean;
  setup(clock: FakeClock): Promise<T>;
  teardown(): Promise<void>;
  beforeAll?(): Promise<void>;
  afterAll?(): Promise<void>;
}

/** Both engines, each making the records under test on a fresh database for every test. */
export function recordsEngines<T>(make: {
  sqlite(db: Db, clock: FakeClock): T;
  postgres(pool: pg.Pool, clock: FakeClock): T;
}): RecordsEngine<T>[] {
  let dir: ReturnType<typeof makeTempDir> | null = null;
  let db: Db | null = null;
  const sqlite: RecordsEngine<T> = {
    name: 'SQLite (one station)',
    skip: false,
    async setup(clock) {
      dir = makeTempDir();
      db = openDatabase(`${dir.path}/quire.db`);
      return make.sqlite(db, clock);
    },
    async teardown() {
      db?.close();
      dir?.cleanup();
    },
  };
  let server: PostgresServer | null = null;
  let pool: pg.Pool | null = null;
  const postgres: RecordsEngine<T> = {
    name: 'PostgreSQL (the lab)',
    skip: withoutPostgres(),
    async beforeAll() {
      server = await startPostgres();
    },
    async afterAll() {
      await server?.dispose();
    },
    async setup(clock) {
      pool = await freshLabDatabase(server!);
      return make.postgres(pool, clock);
    },
    async teardown() {
      await pool?.end();
    },
  };
  return [sqlite, postgres];
}
