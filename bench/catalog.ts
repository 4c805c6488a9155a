// npm run bench -- catalog
// Records/s for 10,000 ids from the CMS emulator (no injected latency): Quire's fetch +
// validate + upsert into SQLite, against the reference pipeline ../shared/baselines/
// seed_museum_ingest.py (httpx + semaphore + pydantic; fetch + validate only) on the same
// emulator in the same run. The emulator runs in its own process (quire cms-emulator).
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { CatalogStore } from '../electron/catalog/catalog-store';
import { CmsClient } from '../electron/catalog/cms-client';
import { syncCatalog } from '../electron/catalog/sync';
import { openDatabase } from '../electron/storage/index';
import { makeTempDir } from '../test/helpers/temp-dir';

const run = promisify(execFile);
const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const count = Math.max(500, Math.round(10_000 * scale));

const emulator = spawn(
  process.execPath,
  [path.resolve('dist/electron/cli.cjs'), 'cms-emulator', '--count', String(count)],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolve, reject) => {
  emulator.stdout.once('data', (chunk: Buffer) =>
    resolve((JSON.parse(chunk.toString()) as { url: string }).url),
  );
  emulator.once('exit', () => reject(new Error('the emulator did not start (run npm run build first)')));
});

async function quire(): Promise<number> {
  const dir = makeTempDir('quire-bench-catalog-');
  const db = openDatabase(path.join(dir.path, 'quire.db'), { synchronous: 'NORMAL' });
  const store = new CatalogStore(db);
  const client = new CmsClient(url);
  const ids = (function* () {
    for (let n = 1; n <= count; n++) yield `OBJ-${String(n).padStart(6, '0')}`;
  })();
  const start = process.hrtime.bigint();
  const result = await syncCatalog(store, client, ids, { concurrency: 15, batchSize: 500 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await client.close();
  if (result.upserted !== count) throw new Error(`expected ${count} records, got ${result.upserted}`);
  db.close();
  dir.cleanup();
  return count / seconds;
}

async function baseline(): Promise<{ value: number | null; note?: string }> {
  try {
    const { stdout } = await run(
      '/usr/bin/python3',
      [
        path.resolve('../shared/baselines/seed_museum_ingest.py'),
        '--api-base',
        url,
        '--count',
        String(count),
      ],
      { timeout: 600_000 },
    );
    return {
      value: (JSON.parse(stdout.trim().split('\n').pop()!) as { records_per_s: number }).records_per_s,
    };
  } catch (error) {
    return {
      value: null,
      note: `baseline did not run (needs Debian python3-httpx python3-pydantic): ${(error as Error).message.slice(0, 160)}`,
    };
  }
}

await quire(); // warm-up: connection pool, JIT
const quireRate = await quire();
const base = await baseline();
emulator.kill();
console.log(
  JSON.stringify({
    bench: 'catalog',
    records: count,
    quireRecordsPerSecond: Math.round(quireRate),
    baselineRecordsPerSecond: base.value === null ? null : Math.round(base.value),
    ...(base.note ? { baselineNote: base.note } : {}),
    ratio: base.value ? Number((quireRate / base.value).toFixed(2)) : null,
    goalRatio: 5,
  }),
);
