// Two station cores on one lab database: a catalog sync at one station fills the lab's catalog,
// and the other station's catalog module, console commands and packaging lookups read it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SyncRun } from '../../../shared/contract/index';
import { startCmsEmulator } from '../../../electron/catalog/emulator';
import type { Station } from '../../../electron/station';
import { newSession } from '../../../electron/transport/dispatch';
import { startPostgres, withoutPostgres, type PostgresServer } from '../../helpers/postgres-server';
import { emptyLabDatabase, labStations } from '../../helpers/lab-postgres';
import { stationCaller } from '../../helpers/contract-caller';

const ids = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `OBJ-${String(from + i).padStart(6, '0')}`);
const noWait = { sleep: async () => {}, random: () => 0 };

describe.skipIf(withoutPostgres())('the catalog shared by the lab on PostgreSQL', () => {
  let server: PostgresServer;
  let emulator: Awaited<ReturnType<typeof startCmsEmulator>>;
  let a: Station;
  let b: Station;

  beforeAll(async () => {
    server = await startPostgres();
    emulator = await startCmsEmulator({ count: 100 });
  }, 120_000);
  afterAll(async () => {
    await emulator?.close();
    await server?.dispose();
  }, 60_000);

  const stations = labStations(() => server);

  beforeEach(async () => {
    await emptyLabDatabase(server);
    a = await stations.open('Station A');
    b = await stations.open('Station B');
  }, 60_000);
  afterEach(async () => stations.disposeAll());

  const caller = stationCaller;

  it('a sync at A serves B: its records, run and dead letters, with nothing in B’s own database', async () => {
    const run = await a.catalog.sync(emulator.url, [...ids(1, 20), 'OBJ-999999'], noWait);
    expect(run).toMatchObject({ state: 'completed', fetched: 21, upserted: 20, deadLetters: 1 });

    expect(await b.catalog.get('ACC-000004')).toMatchObject({ accession_number: 'ACC-000004' });
    expect(await b.catalog.records.count()).toBe(20);
    expect(await b.catalog.records.run(run.id)).toEqual(run);
    // A lab station keeps no catalog of its own: its SQLite has not even the tables.
    const ownTables = b.db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'catalog_%'").all();
    expect(ownTables).toEqual([]);

    // B's console reads the lab's catalog through its commands.
    const atB = caller(b);
    await b.auth.setup(newSession(), {
      username: 'ada',
      password: 'correct horse battery',
      displayName: 'Ada',
    });
    const session = newSession();
    await atB(session, 'auth.signIn', { username: 'ada', password: 'correct horse battery' });
    expect(await atB(session, 'catalog.runs')).toMatchObject({ ok: true, output: [{ id: run.id }] });
    expect(await atB(session, 'catalog.deadLetters', { runId: run.id })).toMatchObject({
      ok: true,
      output: { total: 1, items: [{ assetId: 'OBJ-999999', reason: 'http', status: 404 }] },
    });
    expect(await atB(session, 'catalog.get', { accession: 'ACC-000020' })).toMatchObject({
      ok: true,
      output: { accession_number: 'ACC-000020' },
    });

    // The same records synced again at B are found unchanged: nothing is rewritten.
    const again = await b.catalog.sync(emulator.url, ids(1, 20), noWait);
    expect(again).toMatchObject({ state: 'completed', upserted: 0, unchanged: 20 });
    expect((await a.catalog.records.runs()).map((r) => r.id)).toEqual([again.id, run.id]);

    // B retries the dead letters of A's run: they are read from the lab. The retry is the only
    // sync started from here on, so the first finished run announced is its.
    const retried = new Promise<SyncRun>((resolve) => {
      const stop = b.events.subscribe((e) => {
        if (e.name === 'catalog.progress' && e.payload.state !== 'running') {
          stop();
          resolve(e.payload);
        }
      });
    });
    const retryId = await b.catalog.retryDeadLetters(run.id);
    expect(await retried).toMatchObject({ id: retryId, fetched: 1, deadLetters: 1 });
    expect(await a.catalog.records.deadLetters(retryId, 0, 10)).toMatchObject({
      total: 1,
      items: [{ assetId: 'OBJ-999999' }],
    });
  });
});
