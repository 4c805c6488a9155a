// npm run bench -- records
// The console's hot reads against a lab of 200,000 batches (issue: under 50 ms p95): the batch
// list (newest first; whole, by stage, by device prefix, by text; a first page and a page deep
// in the list) and the quarantine, through the lab's PostgreSQL engine
// (records/postgres/batch-records.ts, indexes in batch-tables.ts), against the same reads
// through a single station's SQLite engine holding the same batches, in alternating rounds.
// The headline ratio is SQLite's p95 over PostgreSQL's for the slowest read (above 1: the lab's
// console answers faster than one station's); the goal is PostgreSQL's slowest p95 ≤ 50 ms.
// PostgreSQL runs on this machine (loopback); a lab's is across its network, which adds one
// round trip per read. QUIRE_BENCH_SCALE shrinks the lab (0.05 → 10,000 batches).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../electron/core/clock';
import { BatchStore } from '../electron/pipeline/batches/batch-store';
import { sqliteBatchRecords } from '../electron/pipeline/batches/sqlite-batch-records';
import type { BatchRecords } from '../electron/records/batch-records';
import { PostgresBatchRecords } from '../electron/records/postgres/batch-records';
import { openLabPool } from '../electron/records/postgres/lab-database';
import { migrateLab } from '../electron/records/postgres/lab-migrations';
import { openDatabase } from '../electron/storage/index';
import { startPostgres } from '../test/helpers/postgres-server';
import { recordConditions } from './support/conditions';
import { alternate, ratioFigures, ROUNDS, round, summary } from './support/rounds';

const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const batches = Math.max(1_000, Math.round(200_000 * scale));
const SAMPLES = 200;
const PAGE = 50;

/**
 * A lab's history: most batches completed, 1% in quarantine, some in every working stage; 40
 * scanners (sim-1…sim-20, scanner-1…scanner-20); one batch every 30 s, newest last.
 */
const STAGES_SQL = `CASE WHEN i % 100 = 7 THEN 'quarantined' WHEN i % 50 = 3 THEN 'qc'
  WHEN i % 50 = 4 THEN 'derivatives' WHEN i % 50 = 5 THEN 'capturing' WHEN i % 200 = 9 THEN 'rejected'
  ELSE 'completed' END`;
const DIAGNOSTICS = `'${JSON.stringify({
  reason: 'Image QC failed',
  stage: 'qc',
  validationIssues: [],
  qcFindings: [{ page: 3, code: 'SKEW', severity: 'error', message: 'page 3 is skewed' }],
  checksumMismatches: [],
  protocolErrors: [],
  attempts: [],
})}'`;
const DEVICE_SQL = `CASE WHEN i % 2 = 0 THEN 'sim-' ELSE 'scanner-' END || (1 + i % 20)`;

async function fillPostgres(url: string): Promise<void> {
  const pool = openLabPool(url);
  await migrateLab(pool);
  await pool.query(`
    INSERT INTO lab_batches (id, station, device, title, accession_numbers, search_text, operator,
      manifest, manifest_sha256, stage, pages_expected, pages_done, quarantine, quarantined_at,
      created_at, updated_at)
    SELECT 'B' || i, 'station-' || (1 + i % 8), ${DEVICE_SQL}, 'Letter book ' || i,
      jsonb_build_array('ACC-' || i), 'B' || i || ' ACC-' || i, 'omar',
      jsonb_build_object('batch_id', 'B' || i), repeat('a', 64), ${STAGES_SQL}, 120, 120,
      CASE WHEN i % 100 = 7 THEN ${DIAGNOSTICS}::jsonb END,
      CASE WHEN i % 100 = 7 THEN timestamptz '2026-01-01' + i * interval '30 s' END,
      timestamptz '2026-01-01' + i * interval '30 s', timestamptz '2026-01-01' + i * interval '30 s'
    FROM generate_series(1, ${batches}) AS i`);
  await pool.query('ANALYZE');
  await pool.end();
}

function fillSqlite(file: string): void {
  const db = openDatabase(file);
  new BatchStore(db, new FakeClock()); // creates its tables
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${batches})
    INSERT INTO batches (id, device, title, accession_numbers, operator, manifest_json, manifest_sha256,
      stage, pages_expected, pages_done, quarantine_json, quarantined_at, created_at, updated_at)
    SELECT 'B' || i, ${DEVICE_SQL}, 'Letter book ' || i, json_array('ACC-' || i), 'omar',
      json_object('batch_id', 'B' || i), printf('%.64c', 'a'), ${STAGES_SQL}, 120, 120,
      CASE WHEN i % 100 = 7 THEN ${DIAGNOSTICS} END,
      CASE WHEN i % 100 = 7 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + i * 30, 'unixepoch') END,
      strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + i * 30, 'unixepoch'),
      strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + i * 30, 'unixepoch')
    FROM n;
    ANALYZE;`);
  db.close();
}

/** The console's reads, each as it asks them (a page of 50 rows). */
const READS: Record<string, (r: BatchRecords, i: number) => Promise<unknown>> = {
  'list, first page': (r) => r.list({ offset: 0, limit: PAGE }),
  'list by stage (quarantined)': (r) => r.list({ stage: 'quarantined', offset: 0, limit: PAGE }),
  'list by device prefix': (r, i) =>
    r.list({ device: `sim-${1 + (i % 9)}`, deviceMatch: 'prefix', offset: 0, limit: PAGE }),
  'list by text': (r, i) => r.list({ search: `ACC-${1 + ((i * 7919) % batches)}`, offset: 0, limit: PAGE }),
  'list, a page halfway down': (r) => r.list({ offset: Math.floor(batches / 2), limit: PAGE }),
  quarantine: (r) => r.quarantined(),
  'one batch (drawer)': (r, i) => r.detail(`B${1 + ((i * 104729) % batches)}`),
};

/** p95 (ms) of each read over SAMPLES calls, the reads interleaved. */
async function measure(records: BatchRecords): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(READS).map((k) => [k, []]));
  for (const read of Object.values(READS)) await read(records, 0); // warm the caches
  for (let i = 1; i <= SAMPLES; i++)
    for (const [name, read] of Object.entries(READS)) {
      const start = process.hrtime.bigint();
      await read(records, i);
      times[name]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  return Object.fromEntries(
    Object.entries(times).map(([name, t]) => {
      const sorted = [...t].sort((a, b) => a - b);
      return [name, sorted[Math.ceil(sorted.length * 0.95) - 1]!];
    }),
  );
}

const conditions = await recordConditions();
const server = await startPostgres();
const dir = mkdtempSync(path.join(os.tmpdir(), 'quire-bench-records-'));
try {
  process.stderr.write(`filling both engines with ${batches} batches…\n`);
  await fillPostgres(server.url);
  fillSqlite(path.join(dir, 'quire.db'));
  const pool = openLabPool(server.url);
  const lab = new PostgresBatchRecords(pool, 'bench', new FakeClock());
  const db = openDatabase(path.join(dir, 'quire.db'));
  const station = sqliteBatchRecords(new BatchStore(db, new FakeClock()));
  const rounds = await alternate(
    ROUNDS,
    () => measure(lab),
    () => measure(station),
  );
  await pool.end();
  db.close();
  const worst = (p95: Record<string, number>) => Math.max(...Object.values(p95));
  const perRead = (side: Record<string, number>[]) =>
    Object.fromEntries(
      Object.keys(READS).map((name) => [
        name,
        summary(
          side.map((r) => r[name]!),
          2,
        ),
      ]),
    );
  console.log(
    JSON.stringify({
      bench: 'records',
      measures: `the console's list and quarantine reads, p95 over ${SAMPLES} calls each, on ${batches} batches: lab PostgreSQL (loopback) vs a station's SQLite`,
      batches,
      ...ratioFigures(rounds.quire.map((q, i) => worst(rounds.baseline[i]!) / worst(q))),
      worstP95Ms: summary(rounds.quire.map(worst), 2),
      goalP95Ms: 50,
      postgresP95Ms: perRead(rounds.quire),
      sqliteP95Ms: perRead(rounds.baseline),
      sqliteWorstP95Ms: round(Math.max(...rounds.baseline.map(worst)), 2),
      conditions: await conditions(),
    }),
  );
} finally {
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
}
