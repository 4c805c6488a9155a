// The station's batches mirrored into the lab's PostgreSQL (started by the test; the lab part
// is skipped, saying why, where PostgreSQL is not installed). The change numbering on the
// station's SQLite is tested without it.
import { once } from 'node:events';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QuarantineDiagnostics } from '../../../shared/contract/index';
import { FakeClock } from '../../../electron/core/clock';
import { EventBus } from '../../../electron/core/event-bus';
import type { Logger } from '../../../electron/core/logger';
import {
  changedSince,
  latestChangeSeq,
  localBatchChanges,
  readBatchSnapshot,
} from '../../../electron/pipeline/batches/batch-snapshot';
import { BatchStore, type NewBatch } from '../../../electron/pipeline/batches/batch-store';
import { BATCH_MIGRATIONS } from '../../../electron/pipeline/batches/migrations';
import {
  LAB_BATCHES_CHANNEL,
  LabBatchMirror,
  type LabBatchMirrorFlush,
} from '../../../electron/records/lab-batch-mirror';
import { labMirrorMark, mirrorBatchSnapshots } from '../../../electron/records/postgres/batch-mirror';
import { PostgresBatchRecords } from '../../../electron/records/postgres/batch-records';
import { LabChannel } from '../../../electron/records/postgres/lab-channel';
import { openLabPool } from '../../../electron/records/postgres/lab-database';
import { migrateLab } from '../../../electron/records/postgres/lab-migrations';
import { migrate, openDatabase, type Db } from '../../../electron/storage/index';
import { startPostgres, withoutPostgres, type PostgresServer } from '../../helpers/postgres-server';
import { makeTempDir } from '../../helpers/temp-dir';

const batch = (id: string, extra: Partial<NewBatch> = {}): NewBatch => ({
  id,
  device: 'sim-1',
  title: `Ledger ${id}`,
  accessionNumbers: [`ACC-${id}`, '1987.44'],
  operator: 'omar',
  manifest: { batch_id: id, expected_pages: 4 },
  manifestSha256: 'a'.repeat(64),
  pagesExpected: 4,
  ...extra,
});

const diagnostics = (reason: string, mismatchPage?: number): QuarantineDiagnostics => ({
  reason,
  stage: 'capturing',
  validationIssues: [],
  qcFindings: [],
  checksumMismatches: mismatchPage ? [{ page: mismatchPage, expected: 'a', actual: 'b' }] : [],
  protocolErrors: [],
  attempts: [],
});

/** One station's SQLite, as a running station keeps it. */
function stationDb(dir: string, name: string) {
  const db = openDatabase(`${dir}/${name}.db`);
  const clock = new FakeClock(Date.UTC(2026, 10, 30, 8));
  const store = new BatchStore(db, clock);
  const events = new EventBus();
  const addPage = (id: string, page: number) => {
    clock.advance(1000);
    store.addPage(id, {
      page,
      bytes: 5_000_000_000 + page,
      sha256: String(page).repeat(64),
      masterPath: `/data/staging/${id}/masters/page-${String(page).padStart(4, '0')}.tif`,
      capturedAt: new Date(clock.now()).toISOString(),
    });
  };
  /** A batch through capture, a failed attempt, a quarantine and a supervisor's requeue. */
  const busyBatch = (id: string) => {
    clock.advance(1000);
    store.insert(batch(id));
    for (const page of [1, 2, 3]) addPage(id, page);
    store.updatePage(id, 1, { width: 4960, height: 7016, metadata: { dpi: 600 }, thumbnailPath: '/t/1.jpg' });
    const failed = store.startAttempt(id, 'capturing', 'device:sim-1');
    store.finishAttempt(failed, 'transient', 'feeder jam');
    store.finishAttempt(store.startAttempt(id, 'capturing', 'device:sim-1'), 'success', null);
    store.quarantine(id, diagnostics('Checksum mismatch', 4));
    store.recordDecision(id, {
      decision: 'requeue',
      by: 'sam',
      reason: 'Rescan',
      note: 'page 4',
      pages: [4],
    });
  };
  return { db, clock, store, events, addPage, busyBatch };
}

const seqOf = (db: Db, id: string) => readBatchSnapshot(db, id)!.changeSeq;

describe("the station's batch change numbers", () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    dir = makeTempDir('quire-change-seq-');
    return () => dir.cleanup();
  });

  it('moves a batch past every other on each write to it, its pages, attempts or decisions', () => {
    const { db, store, addPage } = stationDb(dir.path, 'st');
    store.insert(batch('B1'));
    store.insert(batch('B2'));
    const other = seqOf(db, 'B2');
    const writes: [string, () => void][] = [
      ['insert', () => store.insert(batch('B3'))],
      ['add a page', () => addPage('B1', 1)],
      ['a page already there (its count rewritten)', () => addPage('B1', 1)],
      ['update a page', () => store.updatePage('B1', 1, { width: 100 })],
      ['start an attempt', () => store.startAttempt('B1', 'qc', null)],
      ['finish an attempt', () => store.finishAttempt(1, 'success', null)],
      ['quarantine', () => store.quarantine('B1', diagnostics('QC failed'))],
      [
        'decide',
        () => store.recordDecision('B1', { decision: 'release', by: 'sam', reason: 'ok', note: '' }),
      ],
      ['set the stage', () => store.setStage('B1', 'packaging', { packagePath: '/p/B1' })],
      ['forget pages', () => store.forgetPages('B1', [1])],
    ];
    for (const [what, write] of writes) {
      const before = latestChangeSeq(db);
      write();
      const touched = what === 'insert' ? 'B3' : 'B1';
      expect(seqOf(db, touched), what).toBeGreaterThan(before);
      expect(seqOf(db, touched), what).toBe(latestChangeSeq(db));
      expect(changedSince(db, before, 10), what).toEqual([{ id: touched, changeSeq: latestChangeSeq(db) }]);
    }
    expect(seqOf(db, 'B2')).toBe(other);
    const all = changedSince(db, 0, 10);
    expect(all.map((c) => c.id)).toEqual(['B2', 'B3', 'B1']);
    expect(new Set(all.map((c) => c.changeSeq)).size).toBe(3);
  });

  it('numbers the batches a station already holds 1..N when it migrates', () => {
    const db = openDatabase(`${dir.path}/old.db`);
    migrate(db, 'pipeline', BATCH_MIGRATIONS.slice(0, 1));
    const insert = db.prepare(
      `INSERT INTO batches (id, device, title, accession_numbers, operator, manifest_json, manifest_sha256, stage,
         created_at, updated_at) VALUES (?, 'sim-1', 't', '[]', 'omar', '{}', 'x', 'completed', 'then', 'then')`,
    );
    for (const id of ['O3', 'O1', 'O2']) insert.run(id);
    const store = new BatchStore(db, new FakeClock());
    expect(changedSince(db, 0, 10)).toEqual([
      { id: 'O3', changeSeq: 1 },
      { id: 'O1', changeSeq: 2 },
      { id: 'O2', changeSeq: 3 },
    ]);
    store.setStage('O3', 'rejected');
    expect(changedSince(db, 3, 10)).toEqual([{ id: 'O3', changeSeq: 4 }]);
    db.close();
  });
});

describe.skipIf(withoutPostgres())("a station's batches mirrored into the lab", () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  let dir: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    server = await startPostgres();
    pool = openLabPool(server.url);
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await server?.dispose();
  });
  beforeEach(async () => {
    dir = makeTempDir('quire-mirror-');
    await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await migrateLab(pool);
    return () => dir.cleanup();
  });

  const mirrorOf = (station: ReturnType<typeof stationDb>, name: string, extra = {}) =>
    new LabBatchMirror({
      station: name,
      changes: localBatchChanges(station.db),
      pool,
      events: station.events,
      retry: { baseMs: 50, capMs: 400 },
      ...extra,
    });

  /** The lab's view of every batch of the station equals the station's own, plus the station. */
  async function expectMirrored(station: ReturnType<typeof stationDb>, name: string) {
    const lab = new PostgresBatchRecords(pool, 'console', new FakeClock());
    const { store } = station;
    const local = store.list({ offset: 0, limit: 1000 });
    const withStation = <T extends object>(value: T) => ({ ...value, station: name });
    expect(await lab.list({ offset: 0, limit: 1000 })).toEqual({
      total: local.total,
      items: local.items.map(withStation),
      counts: local.counts,
    });
    for (const { id } of local.items) {
      expect(await lab.detail(id)).toEqual(withStation(store.detail(id)!));
      expect(await lab.pages(id)).toEqual(store.pages(id));
      expect(await lab.manifest(id)).toEqual(store.manifest(id));
    }
    expect(await lab.quarantined()).toEqual(store.quarantined().map(withStation));
    const rows = await pool.query<{ pages: number; attempts: number; decisions: number }>(
      `SELECT (SELECT count(*) FROM lab_batch_pages)::int AS pages,
         (SELECT count(*) FROM lab_batch_attempts)::int AS attempts,
         (SELECT count(*) FROM lab_batch_decisions)::int AS decisions`,
    );
    const n = (sql: string) => (station.db.prepare(sql).get() as { n: number }).n;
    expect(rows.rows[0]).toEqual({
      pages: n('SELECT count(*) AS n FROM batch_pages'),
      attempts: n('SELECT count(*) AS n FROM batch_attempts'),
      decisions: n('SELECT count(*) AS n FROM batch_decisions'),
    });
  }

  it('shows every batch the station writes as the station sees it, soon after each change', async () => {
    const station = stationDb(dir.path, 'st-a');
    station.busyBatch('B1');
    station.busyBatch('B2');
    station.store.setStage('B2', 'capturing', { lastError: null });
    const mirror = mirrorOf(station, 'st-a', { coalesceMs: 250 });
    try {
      mirror.start();
      await mirror.drained();
      expect(mirror.state).toBe('connected');
      await expectMirrored(station, 'st-a');

      // Twenty changes announced one after another (a round trip to the lab apart, as long as a
      // push would take to start) within the window: carried in one push.
      const firstPush = once(mirror, 'pushed');
      for (let i = 3; i < 23; i++) {
        station.clock.advance(1000);
        station.events.emit('batch.updated', station.store.insert(batch(`B${i}`))!);
        await pool.query('SELECT 1');
      }
      const [pushed] = (await firstPush) as [LabBatchMirrorFlush];
      expect(pushed).toMatchObject({ pushed: 20, transactions: 1 });
      station.store.forgetPages('B1', [2]);
      station.store.setStage('B2', 'completed', { packagePath: '/packages/B2' });
      station.events.emit('batch.updated', station.store.summary('B2')!);
      await mirror.drained();
      await expectMirrored(station, 'st-a');
      expect(await labMirrorMark(pool, 'st-a')).toBe(latestChangeSeq(station.db));
    } finally {
      await mirror.close();
      station.db.close();
    }
  });

  it('owes in the lab a sheet that left the feeder without a kept page, as the station does', async () => {
    // A batch read until the feeder ran empty: pages 1 and 2 kept, page 3 broke off mid-page
    // (the station raised its extent to 3) and the scanner was reset without the sheet.
    const station = stationDb(dir.path, 'st-a');
    station.store.insert(batch('U1', { manifest: { batch_id: 'U1' }, pagesExpected: null }));
    for (const page of [1, 2]) station.addPage('U1', page);
    station.store.notePageExtent('U1', 3);
    station.store.quarantine('U1', diagnostics('Page(s) 3 missing: the feeder ran empty'));
    const mirror = mirrorOf(station, 'st-a');
    try {
      mirror.start();
      await mirror.drained();
      const lab = new PostgresBatchRecords(pool, 'console', new FakeClock());
      expect((await lab.detail('U1'))?.missingPages).toEqual([{ page: 3, why: 'not captured' }]);
      await expectMirrored(station, 'st-a');
    } finally {
      await mirror.close();
      station.db.close();
    }
  });

  it('changes nothing and duplicates nothing on a repeated or late push', async () => {
    const station = stationDb(dir.path, 'st-a');
    station.busyBatch('B1');
    const first = readBatchSnapshot(station.db, 'B1')!;
    expect(await mirrorBatchSnapshots(pool, 'st-a', [first], first.changeSeq)).toEqual({
      changed: ['B1'],
      unchanged: [],
      conflicts: [],
    });
    const attemptIds = async () =>
      (await pool.query('SELECT id FROM lab_batch_attempts ORDER BY id')).rows.map((r) => r.id);
    const heldAttempts = await attemptIds();
    expect(await mirrorBatchSnapshots(pool, 'st-a', [first, first], first.changeSeq)).toEqual({
      changed: [],
      unchanged: ['B1'],
      conflicts: [],
    });
    expect(await attemptIds()).toEqual(heldAttempts);
    await expectMirrored(station, 'st-a');

    station.addPage('B1', 4);
    station.store.setStage('B1', 'qc');
    const second = readBatchSnapshot(station.db, 'B1')!;
    expect((await mirrorBatchSnapshots(pool, 'st-a', [second], second.changeSeq)).changed).toEqual(['B1']);
    // The first push again, late: the lab keeps the newer batch and its mark does not go back.
    expect((await mirrorBatchSnapshots(pool, 'st-a', [first], first.changeSeq)).unchanged).toEqual(['B1']);
    await expectMirrored(station, 'st-a');
    expect(await labMirrorMark(pool, 'st-a')).toBe(second.changeSeq);
    const counts = await pool.query('SELECT stage, n FROM lab_batch_stage_counts WHERE n > 0');
    expect(counts.rows.map((r) => [r.stage, Number(r.n)])).toEqual([['qc', 1]]);
    station.db.close();
  });

  it("never overwrites a batch id another station holds, and carries the station's other batches", async () => {
    const other = stationDb(dir.path, 'st-b');
    other.store.insert(batch('X1'));
    await mirrorOf(other, 'st-b').flush();
    const theirs = await new PostgresBatchRecords(pool, 'console', new FakeClock()).detail('X1');

    const station = stationDb(dir.path, 'st-a');
    station.store.insert(batch('A1'));
    station.store.insert(batch('X1', { title: 'Same id, another station' }));
    for (const page of [1, 2, 3]) station.addPage('X1', page);
    station.busyBatch('A2');
    // Not held off by the change numbers: this station's X1 is further on than the other's.
    expect(seqOf(station.db, 'X1')).toBeGreaterThan(seqOf(other.db, 'X1'));
    const logger = { error: vi.fn(), warn: vi.fn() };
    const mirror = mirrorOf(station, 'st-a', { logger: logger as unknown as Logger, batchesPerPush: 2 });
    expect(await mirror.flush()).toEqual({
      pushed: 2,
      transactions: 2,
      conflicts: [{ id: 'X1', station: 'st-b' }],
    });
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ conflicts: [{ id: 'X1', station: 'st-b' }] }),
      expect.stringMatching(/another station/),
    );
    const lab = new PostgresBatchRecords(pool, 'console', new FakeClock());
    expect(await lab.detail('X1')).toEqual(theirs);
    expect((await lab.summary('A1'))?.station).toBe('st-a');
    expect((await lab.summary('A2'))?.station).toBe('st-a');
    expect(await labMirrorMark(pool, 'st-a')).toBe(latestChangeSeq(station.db));
    // Passed over, not retried: the next flush has nothing to carry.
    expect(await mirror.flush()).toEqual({ pushed: 0, transactions: 0, conflicts: [] });
    station.db.close();
    other.db.close();
  });

  it('keeps the station working while the lab is down and carries everything once when it returns', async () => {
    const station = stationDb(dir.path, 'st-a');
    station.busyBatch('B1');
    const mirror = mirrorOf(station, 'st-a', { pollMs: 100 });
    try {
      mirror.start();
      await mirror.drained();

      await server.stop();
      // Written while the lab is away; some announced, some not (found by the poll).
      station.busyBatch('B2');
      station.events.emit('batch.updated', station.store.summary('B2')!);
      station.addPage('B1', 4);
      station.store.setStage('B1', 'qc');
      station.busyBatch('B3');
      while (mirror.state !== 'unreachable') await once(mirror, 'state');
      expect(mirror.state).toBe('unreachable');
      station.store.quarantine('B3', diagnostics('Image QC failed'));
      expect(station.store.pages('B1').map((p) => p.page)).toEqual([1, 2, 3, 4]);

      await server.start();
      await mirror.drained();
      expect(mirror.state).toBe('connected');
      await expectMirrored(station, 'st-a');
    } finally {
      await mirror.close();
      station.db.close();
    }
  }, 60_000);

  it('resumes from the mark the lab keeps when a new mirror starts', async () => {
    const station = stationDb(dir.path, 'st-a');
    for (const id of ['B1', 'B2', 'B3', 'B4']) station.busyBatch(id);
    expect(await mirrorOf(station, 'st-a').flush()).toMatchObject({ pushed: 4 });
    // Changed while no mirror ran (the station restarted, say).
    station.store.setStage('B2', 'capturing');
    station.addPage('B4', 4);
    const restarted = mirrorOf(station, 'st-a');
    expect(await restarted.flush()).toEqual({ pushed: 2, transactions: 1, conflicts: [] });
    expect(await restarted.flush()).toEqual({ pushed: 0, transactions: 0, conflicts: [] });
    await expectMirrored(station, 'st-a');
    station.db.close();
  });

  it('announces each changed batch on the lab channel', async () => {
    const station = stationDb(dir.path, 'st-a');
    const heard: string[] = [];
    let announced: () => void = () => {};
    const channel = new LabChannel(pool, LAB_BATCHES_CHANNEL, {
      onMessage: (id) => {
        heard.push(id ?? '');
        if (id === 'B2') announced();
      },
      onReconnect: () => {},
    });
    try {
      await channel.start();
      const arrived = new Promise<void>((resolve) => (announced = resolve));
      station.busyBatch('B2');
      await mirrorOf(station, 'st-a').flush();
      await arrived;
      expect(heard).toEqual(['B2']);
    } finally {
      await channel.close();
      station.db.close();
    }
  });
});
