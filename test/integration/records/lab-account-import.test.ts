import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LabAccountImportConflict,
  importStationAccounts,
} from '../../../electron/records/postgres/lab-account-import';
import { LabAccountStore } from '../../../electron/records/postgres/lab-account-store';
import { readStationAccounts, SqliteAccountStore } from '../../../electron/records/sqlite/account-store';
import { dispatch, newSession } from '../../../electron/transport/dispatch';
import { stationEndpoint } from '../../../electron/transport/station-endpoint';
import { silentLogger } from '../../../electron/core/logger';
import { freshLabDatabase, postgresForSuite } from '../../helpers/lab-postgres';
import { withoutPostgres } from '../../helpers/postgres-server';
import { makeTestStation } from '../../helpers/station';

const OTTO = { username: 'otto', password: 'operator passphrase' };

describe.skipIf(withoutPostgres())("moving a single station's people into the lab", () => {
  const server = postgresForSuite();
  let pool: pg.Pool;
  const disposers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    pool = await freshLabDatabase(server(), { max: 4 });
  });
  afterEach(async () => {
    for (const dispose of disposers.splice(0)) await dispose();
    await pool.end();
  });

  /** A single station with its own people, as it ran before joining the lab. */
  const singleStation = async (people: Array<{ username: string; role: 'operator' | 'supervisor' }>) => {
    const { station, dispose } = await makeTestStation({ labDatabase: null, lab: null });
    disposers.push(dispose);
    await station.auth.setup(newSession(), {
      username: 'ada',
      displayName: 'Ada',
      password: 'correct horse battery',
    });
    for (const p of people)
      await station.auth.createAccount({ ...p, displayName: p.username, password: OTTO.password });
    return { local: new SqliteAccountStore(station.db), station };
  };

  it('keeps ids, roles, hashes and the disabled flag; people sign in at a lab station with their old password', async () => {
    const { local, station: before } = await singleStation([
      { username: 'otto', role: 'operator' },
      { username: 'gone', role: 'operator' },
    ]);
    await local.setDisabled('gone', true, '2026-12-01T08:00:00.000Z');
    const accounts = await local.list();
    expect(readStationAccounts(before.db)).toEqual(accounts);

    expect(await importStationAccounts(pool, accounts)).toEqual({ station: 3, imported: 3, alreadyThere: 0 });
    const lab = new LabAccountStore(pool);
    expect(await lab.list()).toEqual(accounts);
    // Once: running it again changes nothing.
    expect(await importStationAccounts(pool, accounts)).toEqual({ station: 3, imported: 0, alreadyThere: 3 });
    expect(await lab.count()).toBe(3);

    const { station } = await makeTestStation({ labDatabase: server().url, lab: null }).then((s) => {
      disposers.push(s.dispose);
      return s;
    });
    const endpoint = stationEndpoint(station);
    const call = (command: string, input: unknown) =>
      dispatch(
        endpoint.table,
        command,
        input,
        { session: newSession(), transport: 'test' },
        {
          logger: silentLogger(),
          validateOutput: true,
          sessionGuard: endpoint.sessionGuard,
        },
      );
    expect(await call('auth.signIn', OTTO)).toMatchObject({ ok: true, output: { needsSetup: false } });
    expect(await call('auth.signIn', { ...OTTO, username: 'gone' })).toMatchObject({
      ok: false,
      error: { message: 'this account is disabled' },
    });
  });

  it('refuses the whole import when a name in the lab belongs to someone else, naming them', async () => {
    const first = await singleStation([{ username: 'otto', role: 'operator' }]);
    await importStationAccounts(pool, readStationAccounts(first.station.db));
    const other = await singleStation([
      { username: 'otto', role: 'supervisor' },
      { username: 'zoe', role: 'operator' },
    ]);
    const attempt = importStationAccounts(pool, readStationAccounts(other.station.db));
    await expect(attempt).rejects.toBeInstanceOf(LabAccountImportConflict);
    await expect(attempt).rejects.toThrow(
      /ada: the lab already has someone of that name.*otto: the lab already has/,
    );
    const names = (await pool.query('SELECT username FROM lab_accounts ORDER BY username')).rows;
    expect(names.map((r) => r.username)).toEqual(['ada', 'otto']);
  });
});
