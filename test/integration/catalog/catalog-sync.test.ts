import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveTier, effectiveAccess } from '../../../electron/catalog/access-tier';
import { CmsClient } from '../../../electron/catalog/cms-client';
import { startCmsEmulator, type EmulatorOptions } from '../../../electron/catalog/emulator';
import { syncCatalog } from '../../../electron/catalog/sync';
import { SqliteCatalogRecords } from '../../../electron/records/sqlite/catalog-records';
import { openDatabase, type Db } from '../../../electron/storage/index';
import { runCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';

const ids = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `OBJ-${String(from + i).padStart(6, '0')}`);
const noWait = { sleep: async () => {}, random: () => 0 };

describe('catalog sync against the CMS emulator', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Db;
  let store: SqliteCatalogRecords;
  let emulator: Awaited<ReturnType<typeof startCmsEmulator>> | null = null;

  beforeEach(() => {
    dir = makeTempDir();
    db = openDatabase(path.join(dir.path, 'quire.db'));
    store = new SqliteCatalogRecords(db);
  });
  afterEach(async () => {
    await emulator?.close();
    emulator = null;
    db.close();
    dir.cleanup();
  });

  async function sync(
    options: EmulatorOptions,
    list: string[],
    clientOptions: ConstructorParameters<typeof CmsClient>[1] = {},
  ) {
    emulator = await startCmsEmulator({ count: 1000, ...options });
    const client = new CmsClient(emulator.url, { ...noWait, ...clientOptions });
    try {
      return await syncCatalog(store, client, list, { batchSize: 7 });
    } finally {
      await client.close();
    }
  }

  it('fetches, validates and upserts every record, deriving the tier where the CMS gives none', async () => {
    const run = await sync({}, ids(1, 40));
    expect(run).toMatchObject({ state: 'completed', fetched: 40, upserted: 40, deadLetters: 0 });
    expect(await store.count()).toBe(40);
    expect(await store.get('ACC-000004')).toMatchObject({ tier_source: 'derived', access_tier: 'public' }); // NoC rights
    expect(await store.get('ACC-000012')).toMatchObject({
      tier_source: 'derived',
      access_tier: 'restricted',
    }); // InC rights
    expect(await store.get('ACC-000001')).toMatchObject({ tier_source: 'cms', access_tier: 'public' });
  });

  it('does not rewrite unchanged records and never duplicates them', async () => {
    await sync({}, ids(1, 20));
    const again = await sync({}, ids(1, 20));
    expect(again).toMatchObject({ upserted: 0, unchanged: 20 });
    expect(await store.count()).toBe(20);
  });

  it('rewrites a record whose content changed, and only that one', async () => {
    const record = (n: number, title: string) => ({
      accession_number: `ACC-${n}`,
      title,
      media_url: `https://cms.example.org/media/${n}.tif`,
      rights_statement: 'http://rightsstatements.org/vocab/NoC-US/1.0/',
      embargo_date: null,
      access_tier: 'public' as const,
      iiif_manifest: null,
      lido_namespace: 'http://www.lido-schema.org/',
      tier_source: 'cms' as const,
      synced_at: '2026-01-01T00:00:00.000Z',
    });
    expect(await store.upsert([record(1, 'One'), record(2, 'Two')])).toEqual({ upserted: 2, unchanged: 0 });
    expect(
      await store.upsert([record(1, 'One'), { ...record(2, 'Two, retitled'), synced_at: '2026-02-01' }]),
    ).toEqual({ upserted: 1, unchanged: 1 });
    expect(await store.get('ACC-2')).toMatchObject({ title: 'Two, retitled', synced_at: '2026-02-01' });
    expect(await store.get('ACC-1')).toMatchObject({ title: 'One', synced_at: '2026-01-01T00:00:00.000Z' });
  });

  it('finds a run by id however many runs came after it', async () => {
    const first = await store.startRun('http://cms.example', null, '2026-01-01T00:00:00.000Z');
    for (let i = 0; i < 1001; i++)
      await store.startRun('http://cms.example', null, '2026-01-02T00:00:00.000Z');
    expect(await store.run(first)).toMatchObject({ id: first, startedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('stores the counts, the records and the dead letters of a run together, and reports progress', async () => {
    emulator = await startCmsEmulator({ count: 1000 });
    const client = new CmsClient(emulator.url, noWait);
    const seen: { state: string; fetched: number }[] = [];
    const run = await syncCatalog(store, client, [...ids(1, 230), 'OBJ-999998', 'OBJ-999999'], {
      batchSize: 7,
      onProgress: (r) => seen.push({ state: r.state, fetched: r.fetched }),
    });
    await client.close();
    expect(run).toMatchObject({
      state: 'completed',
      total: 232,
      fetched: 232,
      upserted: 230,
      deadLetters: 2,
    });
    expect(await store.run(run.id)).toEqual(run);
    expect(await store.count()).toBe(230);
    expect((await store.deadLetters(run.id, 0, 10)).total).toBe(2);
    expect(seen.map((s) => s.fetched)).toEqual([100, 200, 232]);
    expect(seen.at(-1)!.state).toBe('completed');
  });

  it('retries 5xx and succeeds', async () => {
    const run = await sync({ flakyIds: { 'OBJ-000003': 2, 'OBJ-000005': 1 } }, ids(1, 10));
    expect(run).toMatchObject({ fetched: 10, upserted: 10, deadLetters: 0 });
  });

  it('honours Retry-After on 429', async () => {
    const waits: number[] = [];
    const run = await sync({ burst429: { requests: 3, retryAfterSeconds: 2 } }, ids(1, 5), {
      sleep: async (ms: number) => void waits.push(ms),
    });
    expect(run.deadLetters).toBe(0);
    expect(waits.filter((w) => w === 2000)).toHaveLength(3);
  });

  it('sends 404s straight to the dead letters, without retrying', async () => {
    const run = await sync({}, ['OBJ-999999', ...ids(1, 3)]);
    expect(run).toMatchObject({ upserted: 3, deadLetters: 1 });
    expect((await store.deadLetters(run.id, 0, 10)).items[0]).toMatchObject({
      assetId: 'OBJ-999999',
      reason: 'http',
      status: 404,
      attempts: 1,
    });
  });

  it('dead-letters malformed and invalid records with the problems by path', async () => {
    const run = await sync({ malformedIds: ['OBJ-000002'], invalidIds: ['OBJ-000003'] }, ids(1, 4));
    const letters = (await store.deadLetters(run.id, 0, 10)).items;
    expect(letters.find((l) => l.assetId === 'OBJ-000002')).toMatchObject({
      reason: 'validation',
      detail: 'the record is not JSON',
    });
    const invalid = letters.find((l) => l.assetId === 'OBJ-000003')!;
    expect(invalid.issues.map((i) => i.path).sort()).toEqual(['access_tier', 'media_url']);
  });

  it('gives up on a request that never answers, after its timeout and retries', async () => {
    const run = await sync({ timeoutIds: ['OBJ-000002'] }, ids(1, 3), { timeoutMs: 200, retries: 1 });
    expect((await store.deadLetters(run.id, 0, 10)).items).toMatchObject([
      { assetId: 'OBJ-000002', reason: 'timeout', attempts: 2 },
    ]);
    expect(run.upserted).toBe(2);
  });

  it('keeps at most `concurrency` requests in flight while streaming ids (memory stays flat)', async () => {
    emulator = await startCmsEmulator({ count: 1000 });
    let inFlight = 0;
    let peak = 0;
    let pulled = 0;
    const client = new CmsClient(emulator.url, noWait);
    const original = client.fetchAsset.bind(client);
    client.fetchAsset = async (id) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      try {
        return await original(id);
      } finally {
        inFlight -= 1;
      }
    };
    async function* lazyIds() {
      for (const id of ids(1, 300)) {
        pulled += 1;
        // The stream is pulled only as slots free up: never far ahead of what has finished.
        expect(pulled - inFlight).toBeLessThanOrEqual(300);
        yield id;
      }
    }
    const run = await syncCatalog(store, client, lazyIds(), { concurrency: 5 });
    await client.close();
    expect(run.fetched).toBe(300);
    expect(peak).toBeLessThanOrEqual(5);
  });

  it('quire catalog sync reads ids from a file and prints a JSON summary', async () => {
    emulator = await startCmsEmulator({ count: 50 });
    const file = path.join(dir.path, 'ids.txt');
    writeFileSync(file, ids(1, 25).join('\n') + '\n\n');
    const run = await runCli([
      'catalog',
      'sync',
      '--api-base',
      emulator.url,
      '--ids-file',
      file,
      '--data',
      path.join(dir.path, 'station'),
    ]).done;
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ state: 'completed', fetched: 25, upserted: 25, deadLetters: 0 });
  });

  it('derives access from rights and embargo, as documented', () => {
    expect(
      deriveTier(
        { rights_statement: 'http://rightsstatements.org/vocab/InC-EDU/1.0/', embargo_date: null },
        '2026-01-01',
      ),
    ).toBe('research');
    expect(
      deriveTier(
        {
          rights_statement: 'https://creativecommons.org/publicdomain/zero/1.0/',
          embargo_date: '2030-01-01',
        },
        '2026-01-01',
      ),
    ).toBe('restricted');
    expect(
      effectiveAccess({ access_tier: 'public', embargo_date: '2030-01-01' }, '2026-01-01'),
    ).toMatchObject({ tier: 'restricted', iiifPublic: false });
    expect(
      effectiveAccess({ access_tier: 'public', embargo_date: '2020-01-01' }, '2026-01-01'),
    ).toMatchObject({ iiifPublic: true });
  });
});
