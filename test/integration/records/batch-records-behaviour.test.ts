// One behaviour suite for both batch record engines: the station's SQLite and the lab's
// PostgreSQL (started by the test; skipped, saying why, where PostgreSQL is not installed).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { QuarantineDiagnostics } from '../../../shared/contract/index';
import { FakeClock } from '../../../electron/core/clock';
import { BatchStore } from '../../../electron/pipeline/batches/batch-store';
import { sqliteBatchRecords } from '../../../electron/pipeline/batches/sqlite-batch-records';
import type { BatchRecords, NewBatch } from '../../../electron/records/batch-records';
import { PostgresBatchRecords } from '../../../electron/records/postgres/batch-records';
import { recordsEngines } from '../../helpers/record-engines';

const batch = (id: string, extra: Partial<NewBatch> = {}): NewBatch => ({
  id,
  device: 'sim-1',
  title: `Ledger ${id}`,
  accessionNumbers: [`ACC-${id}`],
  operator: 'omar',
  manifest: { batch_id: id, nested: { pages: [1, 2] } },
  manifestSha256: 'a'.repeat(64),
  pagesExpected: 4,
  ...extra,
});

const page = (n: number, at = '2026-01-01T00:00:00.000Z') => ({
  page: n,
  bytes: 5_000_000_000 + n,
  sha256: `${n}`.padStart(64, '0'),
  masterPath: `/staging/B/masters/page-${String(n).padStart(4, '0')}.tif`,
  capturedAt: at,
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

const engines = recordsEngines<BatchRecords>({
  sqlite: (db, clock) => sqliteBatchRecords(new BatchStore(db, clock)),
  postgres: (pool, clock) => new PostgresBatchRecords(pool, 'station-a', clock),
});

for (const engine of engines)
  describe.skipIf(engine.skip)(`batch records on ${engine.name}`, () => {
    let records: BatchRecords;
    let clock: FakeClock;
    beforeAll(async () => engine.beforeAll?.(), 120_000);
    afterAll(async () => engine.afterAll?.());
    beforeEach(async () => {
      clock = new FakeClock();
      records = await engine.setup(clock);
      return () => engine.teardown();
    });

    it('never replaces an existing batch with a new one of the same id', async () => {
      expect(await records.insert(batch('B1'))).toMatchObject({ id: 'B1', stage: 'validating' });
      expect(await records.insert(batch('B1', { title: 'Impostor' }))).toBeNull();
      expect((await records.summary('B1'))?.title).toBe('Ledger B1');
      expect(await records.manifest('B1')).toEqual({ batch_id: 'B1', nested: { pages: [1, 2] } });
      expect(await records.summary('nope')).toBeNull();
      expect(await records.detail('nope')).toBeNull();
    });

    it('keeps the first record of a page, counts pages, and names the missing ones', async () => {
      await records.insert(batch('B1'));
      await records.addPage('B1', page(1));
      await records.addPage('B1', page(3));
      await records.addPage('B1', { ...page(1), sha256: 'f'.repeat(64) });
      expect((await records.pages('B1')).map((p) => [p.page, p.sha256, p.bytes])).toEqual([
        [1, page(1).sha256, page(1).bytes],
        [3, page(3).sha256, page(3).bytes],
      ]);
      expect((await records.summary('B1'))?.pagesDone).toBe(2);
      await records.updatePage('B1', 3, { width: 4960, height: 7016, metadata: { dpi: 600 } });
      await records.updatePage('B1', 3, { accessPath: '/a/page-0003.jpg' });
      expect(await records.page('B1', 3)).toMatchObject({
        width: 4960,
        height: 7016,
        metadata: { dpi: 600 },
        accessPath: '/a/page-0003.jpg',
        thumbnailPath: null,
      });
      await records.quarantine('B1', diagnostics('Checksum mismatch', 2));
      const detail = await records.detail('B1');
      expect(detail?.missingPages).toEqual([
        { page: 2, why: 'failed its checksum' },
        { page: 4, why: 'not captured' },
      ]);
      expect(detail?.pages.map((p) => p.page)).toEqual([1, 3]);
      await records.forgetPages('B1', [3]);
      expect((await records.pages('B1')).map((p) => p.page)).toEqual([1]);
      expect((await records.summary('B1'))?.pagesDone).toBe(1);
    });

    it('lists newest first, by stage, by device prefix (wildcards literal) and by text, with counts', async () => {
      const devices = ['sim-1', 'sim-2', 'simX', 'sim_9', 'scanner-12'];
      for (const [i, device] of devices.entries()) {
        clock.advance(1000);
        await records.insert(batch(`B${i}`, { device, accessionNumbers: [`1987.${i}`] }));
      }
      await records.setStage('B1', 'completed');
      await records.quarantine('B3', diagnostics('Image QC failed'));
      const all = await records.list({ offset: 0, limit: 3 });
      expect(all.items.map((b) => b.id)).toEqual(['B4', 'B3', 'B2']);
      expect(all.total).toBe(5);
      expect(all.counts).toEqual({ validating: 3, completed: 1, quarantined: 1 });
      expect((await records.list({ offset: 3, limit: 3 })).items.map((b) => b.id)).toEqual(['B1', 'B0']);
      const done = await records.list({ stage: 'completed', offset: 0, limit: 10 });
      expect([done.total, done.items.map((b) => b.id)]).toEqual([1, ['B1']]);
      const sim = await records.list({ device: 'sim', deviceMatch: 'prefix', offset: 0, limit: 10 });
      expect([sim.total, sim.items.map((b) => b.id)]).toEqual([4, ['B3', 'B2', 'B1', 'B0']]);
      const literal = await records.list({ device: 'sim_', deviceMatch: 'prefix', offset: 0, limit: 10 });
      expect(literal.items.map((b) => b.id)).toEqual(['B3']);
      const exact = await records.list({ device: 'sim-1', offset: 0, limit: 10 });
      expect(exact.items.map((b) => b.id)).toEqual(['B0']);
      const text = await records.list({ search: '1987.4', offset: 0, limit: 10 });
      expect([text.total, text.items.map((b) => b.id)]).toEqual([1, ['B4']]);
      expect((await records.list({ search: 'b2', offset: 0, limit: 10 })).items.map((b) => b.id)).toEqual([
        'B2',
      ]);
    });

    it('lists the quarantine oldest first with its reasons; leaving it clears the diagnostics', async () => {
      await records.insert(batch('B1'));
      await records.insert(batch('B2'));
      await records.quarantine('B2', diagnostics('Image QC failed'));
      clock.advance(5000);
      await records.quarantine('B1', diagnostics('Checksum mismatch'));
      const review = await records.quarantined();
      expect(review.map((b) => [b.id, b.reason])).toEqual([
        ['B2', 'Image QC failed'],
        ['B1', 'Checksum mismatch'],
      ]);
      expect(review[1]!.quarantinedAt).toBe(new Date(clock.now()).toISOString());
      expect((await records.detail('B1'))?.quarantine?.reason).toBe('Checksum mismatch');
      await records.recordDecision('B1', {
        decision: 'requeue',
        by: 'sam',
        reason: 'Rescan',
        note: '',
        pages: [2],
      });
      const back = await records.setStage('B1', 'capturing', { lastError: null });
      expect(back).toMatchObject({ stage: 'capturing', lastError: null });
      const detail = await records.detail('B1');
      expect(detail?.quarantine).toBeNull();
      expect(detail?.decisions).toEqual([
        {
          decision: 'requeue',
          by: 'sam',
          at: new Date(clock.now()).toISOString(),
          reason: 'Rescan',
          note: '',
          pages: [2],
        },
      ]);
      expect((await records.list({ offset: 0, limit: 1 })).counts).toEqual({ quarantined: 1, capturing: 1 });
      await expect(records.setStage('missing', 'qc')).rejects.toThrow(/missing/);
    });

    it('numbers attempts per stage and records how each ended', async () => {
      await records.insert(batch('B1'));
      const first = await records.startAttempt('B1', 'qc', 'compute');
      await records.finishAttempt(first, 'transient', 'decoder busy');
      const second = await records.startAttempt('B1', 'qc', 'compute');
      await records.finishAttempt(second, 'success', null);
      await records.startAttempt('B1', 'derivatives', null);
      expect((await records.attempts('B1')).map((a) => [a.stage, a.attempt, a.outcome, a.error])).toEqual([
        ['qc', 1, 'transient', 'decoder busy'],
        ['qc', 2, 'success', null],
        ['derivatives', 1, 'running', null],
      ]);
      expect((await records.summary('B1'))?.attempts).toBe(3);
      expect((await records.detail('B1'))?.packagePath).toBeNull();
      await records.setStage('B1', 'completed', { packagePath: '/packages/B1' });
      expect((await records.detail('B1'))?.packagePath).toBe('/packages/B1');
    });
  });
