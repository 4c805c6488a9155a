import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openLabPool } from '../../electron/records/postgres/lab-database';
import { migrateLab } from '../../electron/records/postgres/lab-migrations';
import type { Station, StationOptions } from '../../electron/station';
import { startPostgres, type PostgresServer } from './postgres-server';
import { makeTestStation } from './station';

/**
 * A throwaway PostgreSQL for the enclosing describe block (call it inside a
 * `describe.skipIf(withoutPostgres())`): started before its tests, since initdb takes seconds,
 * and removed after them. The getter is for the tests and hooks, once the server is up; the
 * block's own afterAll hooks (closing its pools) run before the server goes.
 */
export function postgresForSuite(): () => PostgresServer {
  let server: PostgresServer | null = null;
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.dispose();
  }, 60_000);
  return () => {
    if (!server) throw new Error('the PostgreSQL server is not up: use it in a test or hook');
    return server;
  };
}

/**
 * A pool on the server's lab database with nothing left of an earlier test (its schema dropped
 * and made again), brought up to date by the lab migrations unless `migrate` is false (a test of
 * the migrations themselves).
 */
export async function freshLabDatabase(
  server: PostgresServer,
  options: { max?: number; migrate?: boolean } = {},
): Promise<pg.Pool> {
  const pool = openLabPool(server.url, { max: options.max });
  try {
    await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    if (options.migrate !== false) await migrateLab(pool);
    return pool;
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Leaves the lab database empty (no tables), for stations that migrate it themselves. */
export async function emptyLabDatabase(server: PostgresServer): Promise<void> {
  await (await freshLabDatabase(server, { max: 1, migrate: false })).end();
}

/**
 * Station cores on the server's lab database (no Redis), each renamed as asked; `disposeAll`
 * closes them and removes their data folders (an afterEach's work).
 */
export function labStations(server: () => PostgresServer, options: Partial<StationOptions> = {}) {
  const opened: Array<{ station: Station; dispose: () => Promise<void> }> = [];
  return {
    async open(name: string): Promise<Station> {
      const station = await makeTestStation({ labDatabase: server().url, lab: null, ...options });
      opened.push(station);
      await station.station.settings.update({ stationName: name });
      return station.station;
    },
    async disposeAll(): Promise<void> {
      for (const s of opened.splice(0)) await s.dispose();
    },
  };
}
