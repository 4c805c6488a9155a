import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditModule } from '../../../electron/audit/module';
import { FakeClock } from '../../../electron/core/clock';
import { EventBus } from '../../../electron/core/event-bus';
import { silentLogger } from '../../../electron/core/logger';
import { BatchStore } from '../../../electron/pipeline/batches/batch-store';
import { latestChangeSeq, localBatchChanges } from '../../../electron/pipeline/batches/batch-snapshot';
import { LabBatchMirror } from '../../../electron/records/lab-batch-mirror';
import { labMirrorMark } from '../../../electron/records/postgres/batch-mirror';
import { PostgresBatchRecords } from '../../../electron/records/postgres/batch-records';
import { openLabPool } from '../../../electron/records/postgres/lab-database';
import { ensureDataDir, openDatabase } from '../../../electron/storage/index';
import { runCli } from '../../helpers/cli';
import { postgresForSuite } from '../../helpers/lab-postgres';
import { withoutPostgres } from '../../helpers/postgres-server';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * A station's data folder as a running station leaves it: batches with pages, attempts, a
 * quarantine and a decision, and the audit events that recorded them.
 */
async function stationFolder(root: string, ids: string[]) {
  const layout = ensureDataDir(root);
  const db = openDatabase(layout.database);
  const clock = new FakeClock(Date.UTC(2026, 10, 30, 8));
  const core = { layout, db, events: new EventBus(), logger: silentLogger(), clock };
  const audit = await createAuditModule(core, { station: 'st' });
  const store = new BatchStore(db, clock);
  for (const id of ids) {
    // The last batch was read until the feeder ran empty, and its page 3 left the feeder
    // without being kept: the batch owes it (its page extent), in the lab as on the station.
    const untilEmpty = id === ids.at(-1);
    store.insert({
      id,
      device: 'sim-1',
      title: `Letter book ${id}`,
      accessionNumbers: [`ACC-${id}`, '1987.44'],
      operator: 'omar',
      manifest: untilEmpty ? { batch_id: id } : { batch_id: id, expected_pages: 3 },
      manifestSha256: 'a'.repeat(64),
      pagesExpected: untilEmpty ? null : 3,
    });
    if (untilEmpty) store.notePageExtent(id, 3);
    for (const page of [1, 2]) {
      clock.advance(1000);
      store.addPage(id, {
        page,
        bytes: 100_000 + page,
        sha256: String(page).repeat(64),
        masterPath: `/data/staging/${id}/masters/page-000${page}.tif`,
        capturedAt: new Date(clock.now()).toISOString(),
      });
      store.updatePage(id, page, { width: 4960, height: 7016, metadata: { dpi: 600 } });
      audit.record({
        type: 'capture',
        outcome: 'success',
        detail: `page ${page}`,
        object: id,
        person: 'omar',
      });
    }
    const attempt = store.startAttempt(id, 'capturing', 'device:sim-1');
    store.finishAttempt(attempt, 'transient', 'feeder jam');
    store.startAttempt(id, 'capturing', 'device:sim-1');
  }
  store.quarantine(ids[0]!, {
    reason: 'Checksum mismatch',
    stage: 'capturing',
    validationIssues: [],
    qcFindings: [],
    checksumMismatches: [{ page: 3, expected: 'a', actual: 'b' }],
    protocolErrors: [],
    attempts: [],
  });
  store.recordDecision(ids[0]!, {
    decision: 'requeue',
    by: 'sam',
    reason: 'Rescan',
    note: 'page 3',
    pages: [3],
  });
  audit.record({
    type: 'quarantine',
    outcome: 'quarantined',
    detail: 'capturing',
    object: ids[0]!,
    person: 'system',
  });
  db.close();
  return { database: layout.database, details: () => readDetails(layout.database, ids) };
}

function readDetails(file: string, ids: string[]) {
  const db = openDatabase(file);
  const store = new BatchStore(db, new FakeClock());
  const details = ids.map((id) => store.detail(id));
  db.close();
  return details;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe.skipIf(withoutPostgres())("quire lab import: a single station's records into the lab", () => {
  const server = postgresForSuite();
  let pool: pg.Pool;
  const dir = makeTempDir('quire-lab-import-');
  beforeAll(async () => {
    pool = openLabPool(server().url);
  });
  afterAll(async () => {
    await pool?.end();
    dir.cleanup();
  });
  const importRun = (folder: string, station: string) =>
    runCli(['lab', 'import', '--data', folder, '--station', station, '--lab-db', server().url]).done;

  it('copies every batch, page, attempt, decision and audit event, verified, and leaves the station as it was', async () => {
    const folder = path.join(dir.path, 'st-a');
    const station = await stationFolder(folder, ['B-1', 'B-2', 'B-3']);
    const expected = station.details();
    const before = sha256(station.database);

    const run = await importRun(folder, 'st-a');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.json).toEqual({
      station: 'st-a',
      imported: { batches: 3, pages: 6, attempts: 6, decisions: 1, auditEvents: 7 },
      accounts: { station: 0, imported: 0, alreadyThere: 0 },
      labChain: { ok: true, checked: 7, stations: 1 },
    });
    const lab = new PostgresBatchRecords(pool, 'elsewhere', new FakeClock());
    for (const detail of expected)
      expect(await lab.detail(detail!.id)).toEqual({ ...detail, station: 'st-a' });
    expect((await lab.quarantined()).map((b) => [b.id, b.reason])).toEqual([['B-1', 'Checksum mismatch']]);
    expect(sha256(station.database)).toBe(before);
    // The lab holds every change the station made: its batch mirror has nothing to carry.
    const db = openDatabase(station.database);
    try {
      expect(await labMirrorMark(pool, 'st-a')).toBe(latestChangeSeq(db));
      const mirror = new LabBatchMirror({
        station: 'st-a',
        changes: localBatchChanges(db),
        pool,
        events: new EventBus(),
      });
      expect(await mirror.flush()).toEqual({ pushed: 0, transactions: 0, conflicts: [] });
    } finally {
      db.close();
    }

    const again = await importRun(folder, 'st-a');
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({ error: { code: 'LAB_IMPORT_REFUSED' } });
    expect(String((again.json!.error as { message: string }).message)).toMatch(
      /imported into this lab on .*once/,
    );
  });

  it('refuses, writing nothing, a station with a batch id the lab holds or an audit chain that does not verify', async () => {
    const count = async () =>
      (
        await pool.query(
          'SELECT (SELECT count(*) FROM lab_batches)::int AS b, (SELECT count(*) FROM lab_audit_events)::int AS e',
        )
      ).rows[0];
    const held = await count();

    const clash = path.join(dir.path, 'st-b');
    await stationFolder(clash, ['B-9', 'B-2']);
    const refused = await importRun(clash, 'st-b');
    expect(refused.code).toBe(1);
    expect(String((refused.json!.error as { message: string }).message)).toMatch(
      /already holds batch B-2 \(from st-a\)/,
    );
    expect(await count()).toEqual(held);

    const tampered = path.join(dir.path, 'st-c');
    const station = await stationFolder(tampered, ['C-1']);
    const raw = new Database(station.database);
    // Someone with the file and sqlite3 in hand (the triggers only stop honest mistakes).
    raw.exec("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET detail = 'page 9' WHERE seq = 2");
    raw.close();
    const broken = await importRun(tampered, 'st-c');
    expect(broken.code).toBe(1);
    expect(String((broken.json!.error as { message: string }).message)).toMatch(
      /own audit chain does not verify/,
    );
    expect(await count()).toEqual(held);

    const missing = await importRun(path.join(dir.path, 'nothing-here'), 'st-d');
    expect(missing.code).toBe(2);
    expect(String((missing.json!.error as { message: string }).message)).toMatch(/not a Quire data folder/);
  });
});
