// One behaviour suite for both catalog record engines: the station's SQLite and the lab's
// PostgreSQL (started by the test; skipped, saying why, where PostgreSQL is not installed).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetter, StoredAsset } from '../../../shared/contract/index';
import { FakeClock } from '../../../electron/core/clock';
import { CmsClient } from '../../../electron/catalog/cms-client';
import { startCmsEmulator } from '../../../electron/catalog/emulator';
import { syncCatalog } from '../../../electron/catalog/sync';
import type { CatalogRecords, RunCounts } from '../../../electron/records/catalog-records';
import { PostgresCatalogRecords } from '../../../electron/records/postgres/catalog-records';
import { SqliteCatalogRecords } from '../../../electron/records/sqlite/catalog-records';
import { recordsEngines } from '../../helpers/record-engines';
import { catalogRecord } from '../../helpers/catalog-record';

const record = (accession: string, title = `Object ${accession}`, syncedAt = '2026-11-30T10:00:00.000Z') =>
  catalogRecord(accession, { title, synced_at: syncedAt });

const letter = (runId: string, assetId: string, at: string, over: Partial<DeadLetter> = {}): DeadLetter => ({
  runId,
  assetId,
  reason: 'validation',
  status: 200,
  detail: 'the record does not match the schema',
  issues: [{ path: 'media_url', message: 'Invalid url "a \\"quoted\\" value"' }],
  attempts: 1,
  at,
  ...over,
});

const zero: RunCounts = { fetched: 0, upserted: 0, unchanged: 0, deadLetters: 0 };
const T0 = '2026-11-30T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const engines = recordsEngines<CatalogRecords>({
  sqlite: (db) => new SqliteCatalogRecords(db),
  postgres: (pool) => new PostgresCatalogRecords(pool, 'station-a'),
});

for (const engine of engines)
  describe.skipIf(engine.skip)(`catalog records on ${engine.name}`, () => {
    let records: CatalogRecords;
    beforeAll(async () => engine.beforeAll?.(), 120_000);
    afterAll(async () => engine.afterAll?.(), 60_000);
    beforeEach(async () => {
      records = await engine.setup(new FakeClock());
    });
    afterEach(async () => engine.teardown());

    it('stores a sync step: its records, its dead letters and the run counts together', async () => {
      const runId = await records.startRun('http://cms.example', null, T0);
      const after = await records.commitSyncStep(
        runId,
        [record('ACC-1'), record('ACC-2'), record('ACC-3')],
        [
          letter(runId, 'OBJ-9', at(1)),
          letter(runId, 'OBJ-8', at(2), { reason: 'http', status: 404, issues: [] }),
        ],
        { ...zero, fetched: 5, deadLetters: 2 },
      );
      expect(after).toEqual({ fetched: 5, upserted: 3, unchanged: 0, deadLetters: 2 });
      expect(await records.run(runId)).toMatchObject({
        id: runId,
        apiBase: 'http://cms.example',
        state: 'running',
        total: null,
        fetched: 5,
        upserted: 3,
        deadLetters: 2,
        startedAt: T0,
        finishedAt: null,
      });
      expect(await records.count()).toBe(3);
      expect(await records.get('ACC-2')).toEqual(record('ACC-2'));
      expect(await records.get('ACC-404')).toBeNull();
      const letters = await records.deadLetters(runId, 0, 10);
      expect(letters.total).toBe(2);
      expect(letters.items).toEqual([
        letter(runId, 'OBJ-9', at(1)),
        letter(runId, 'OBJ-8', at(2), { reason: 'http', status: 404, issues: [] }),
      ]);
    });

    it('rewrites a record only when its content changed, even named twice in one step', async () => {
      const runId = await records.startRun('http://cms.example', null, T0);
      await records.commitSyncStep(runId, [record('ACC-1'), record('ACC-2')], [], zero);
      const later = '2026-12-01T08:00:00.000Z';
      const again = await records.commitSyncStep(
        runId,
        [
          record('ACC-1', undefined, later),
          record('ACC-2', 'Retitled', later),
          record('ACC-2', 'Retitled', later),
        ],
        [],
        { fetched: 5, upserted: 2, unchanged: 0, deadLetters: 0 },
      );
      expect(again).toEqual({ fetched: 5, upserted: 3, unchanged: 2, deadLetters: 0 });
      // The unchanged record keeps when it was first stored.
      expect(await records.get('ACC-1')).toEqual(record('ACC-1'));
      expect(await records.get('ACC-2')).toEqual(record('ACC-2', 'Retitled', later));
      expect(await records.upsert([record('ACC-1'), record('ACC-3')])).toEqual({ upserted: 1, unchanged: 1 });
      expect(await records.count()).toBe(3);
    });

    it('rolls back a step that fails: no record, letter or count of it stays', async () => {
      const runId = await records.startRun('http://cms.example', null, T0);
      await records.commitSyncStep(runId, [record('ACC-1')], [], { ...zero, fetched: 1 });
      // A record with no synced_at breaks a NOT NULL column on both engines, after ACC-2 is in.
      const broken = { ...record('ACC-3'), synced_at: null } as unknown as StoredAsset;
      await expect(
        records.commitSyncStep(runId, [record('ACC-2'), broken], [letter(runId, 'OBJ-1', at(1))], {
          fetched: 4,
          upserted: 1,
          unchanged: 0,
          deadLetters: 1,
        }),
      ).rejects.toThrow();
      expect(await records.count()).toBe(1);
      expect(await records.get('ACC-2')).toBeNull();
      expect((await records.deadLetters(runId, 0, 10)).total).toBe(0);
      expect(await records.run(runId)).toMatchObject({ fetched: 1, upserted: 1, deadLetters: 0 });
    });

    it('pages the dead letters oldest first, per run or all, and streams a run’s ids in order', async () => {
      const first = await records.startRun('http://cms.example', null, T0);
      const second = await records.startRun('http://cms.example', null, at(100));
      const ids = Array.from({ length: 23 }, (_, i) => `OBJ-${String(i).padStart(3, '0')}`);
      // Two letters share each second: the asset id breaks the tie.
      const firstLetters = ids.map((id, i) => letter(first, id, at(Math.floor((22 - i) / 2))));
      await records.commitSyncStep(first, [], firstLetters, { ...zero, deadLetters: 23 });
      await records.commitSyncStep(second, [], [letter(second, 'OBJ-000', at(200))], zero);
      const expected = [...firstLetters].sort((a, b) =>
        a.at === b.at ? (a.assetId < b.assetId ? -1 : 1) : a.at < b.at ? -1 : 1,
      );
      const pages = [];
      for (let offset = 0; offset < 23; offset += 10) {
        const page = await records.deadLetters(first, offset, 10);
        expect(page.total).toBe(23);
        pages.push(...page.items);
      }
      expect(pages.map((l) => l.assetId)).toEqual(expected.map((l) => l.assetId));
      const all = await records.deadLetters(undefined, 20, 10);
      expect(all.total).toBe(24);
      expect(all.items.map((l) => [l.runId, l.assetId])).toEqual([
        ...expected.slice(20).map((l) => [first, l.assetId]),
        [second, 'OBJ-000'],
      ]);
      expect(await collect(records.deadLetterIds(first, 5))).toEqual(ids);
      expect(await collect(records.deadLetterIds(second, 5))).toEqual(['OBJ-000']);
      // The same id dead-lettered again in a run replaces its letter (a retry within the run).
      await records.commitSyncStep(second, [], [letter(second, 'OBJ-000', at(300), { attempts: 4 })], zero);
      expect((await records.deadLetters(second, 0, 10)).items).toMatchObject([{ attempts: 4 }]);
    });

    it('lists runs newest first and records how they ended', async () => {
      const runIds = [];
      for (let i = 0; i < 4; i++) runIds.push(await records.startRun(`http://cms-${i}.example`, null, at(i)));
      await records.updateRun(runIds[1]!, {
        fetched: 7,
        upserted: 6,
        unchanged: 0,
        deadLetters: 1,
        total: 7,
      });
      await records.updateRun(runIds[1]!, { fetched: 7, upserted: 6, unchanged: 0, deadLetters: 1 });
      await records.finishRun(runIds[1]!, 'completed', null, at(50));
      await records.finishRun(runIds[2]!, 'failed', 'the collection API did not answer', at(60));
      expect((await records.runs(3)).map((r) => r.id)).toEqual([runIds[3], runIds[2], runIds[1]]);
      expect(await records.run(runIds[1]!)).toEqual({
        id: runIds[1],
        apiBase: 'http://cms-1.example',
        state: 'completed',
        total: 7,
        fetched: 7,
        upserted: 6,
        unchanged: 0,
        deadLetters: 1,
        startedAt: at(1),
        finishedAt: at(50),
        error: null,
      });
      expect(await records.run(runIds[2]!)).toMatchObject({
        state: 'failed',
        error: 'the collection API did not answer',
      });
      expect(await records.run('no-such-run')).toBeNull();
    });

    it('reads every record in bytewise accession order, a page at a time', async () => {
      const accessions = ['b-2', 'B-10', 'a-1', 'A-1', '1994.17.42', 'Ö-1', 'b-10'];
      await records.upsert(accessions.map((a) => record(a)));
      const bytewise = [...accessions].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect((await collect(records.each(2))).map((r) => r.accession_number)).toEqual(bytewise);
      expect((await collect(records.each())).map((r) => r.accession_number)).toEqual(bytewise);
    });

    it('is filled by a sync from the CMS, and a second sync rewrites nothing', async () => {
      const emulator = await startCmsEmulator({ count: 100 });
      const client = new CmsClient(emulator.url, { sleep: async () => {}, random: () => 0 });
      try {
        const ids = Array.from({ length: 60 }, (_, i) => `OBJ-${String(i + 1).padStart(6, '0')}`);
        const run = await syncCatalog(records, client, [...ids, 'OBJ-999998', 'OBJ-999999'], {
          batchSize: 7,
        });
        expect(run).toMatchObject({
          state: 'completed',
          total: 62,
          fetched: 62,
          upserted: 60,
          deadLetters: 2,
        });
        expect(await records.run(run.id)).toEqual(run);
        expect(await records.count()).toBe(60);
        expect(await collect(records.deadLetterIds(run.id))).toEqual(['OBJ-999998', 'OBJ-999999']);
        const again = await syncCatalog(records, client, ids, { batchSize: 7 });
        expect(again).toMatchObject({ state: 'completed', fetched: 60, upserted: 0, unchanged: 60 });
      } finally {
        await client.close();
        await emulator.close();
      }
    });
  });
