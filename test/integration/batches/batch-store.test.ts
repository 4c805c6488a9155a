import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../electron/core/clock';
import { BatchStore, type NewBatch } from '../../../electron/pipeline/batches/batch-store';
import { openDatabase, type Db } from '../../../electron/storage/index';
import { makeTempDir } from '../../helpers/temp-dir';

const batch = (id: string, extra: Partial<NewBatch> = {}): NewBatch => ({
  id,
  device: 'sim-1',
  title: `Ledger ${id}`,
  accessionNumbers: [`ACC-${id}`],
  operator: 'omar',
  manifest: { batch_id: id },
  manifestSha256: 'a'.repeat(64),
  pagesExpected: 4,
  ...extra,
});

describe('batch store', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Db;
  let store: BatchStore;
  let clock: FakeClock;

  beforeEach(() => {
    dir = makeTempDir();
    db = openDatabase(`${dir.path}/quire.db`);
    clock = new FakeClock();
    store = new BatchStore(db, clock);
  });
  afterEach(() => {
    db.close();
    dir.cleanup();
  });

  it('never replaces an existing batch with a new one of the same id', () => {
    expect(store.insert(batch('B1'))).not.toBeNull();
    expect(store.insert(batch('B1', { title: 'Impostor' }))).toBeNull();
    expect(store.summary('B1')?.title).toBe('Ledger B1');
  });

  it('filters by stage and device and searches id or accession number', () => {
    for (let i = 0; i < 30; i++) {
      clock.advance(1000);
      store.insert(batch(`B${i}`, { device: i % 2 ? 'sim-1' : 'sim-2', accessionNumbers: [`1999.${i}.7`] }));
    }
    store.setStage('B3', 'completed');
    expect(store.list({ stage: 'completed', offset: 0, limit: 50 }).items.map((b) => b.id)).toEqual(['B3']);
    expect(store.list({ device: 'sim-2', offset: 0, limit: 50 }).total).toBe(15);
    expect(store.list({ search: '1999.12.', offset: 0, limit: 50 }).items.map((b) => b.id)).toEqual(['B12']);
    expect(store.list({ search: 'B2', offset: 0, limit: 50 }).total).toBe(11);
    const page = store.list({ offset: 10, limit: 5 });
    expect(page.items).toHaveLength(5);
    expect(page.items[0]?.id).toBe('B19');
    expect(page.counts).toEqual({ validating: 29, completed: 1 });
  });

  it('treats % and _ in a search as text, not wildcards', () => {
    store.insert(batch('B_1'));
    store.insert(batch('BX1'));
    expect(store.list({ search: 'B_1', offset: 0, limit: 10 }).items.map((b) => b.id)).toEqual(['B_1']);
    expect(store.list({ search: '%', offset: 0, limit: 10 }).total).toBe(0);
  });

  it('counts pages as they are recorded and never replaces a recorded page', () => {
    store.insert(batch('B1'));
    store.addPage('B1', { page: 1, bytes: 10, sha256: 'x', masterPath: '/m/1', capturedAt: 't' });
    store.addPage('B1', { page: 1, bytes: 99, sha256: 'y', masterPath: '/m/evil', capturedAt: 't' });
    store.addPage('B1', { page: 2, bytes: 10, sha256: 'z', masterPath: '/m/2', capturedAt: 't' });
    expect(store.summary('B1')?.pagesDone).toBe(2);
    expect(store.page('B1', 1)).toMatchObject({ sha256: 'x', masterPath: '/m/1' });
  });

  it('keeps quarantine diagnostics, attempts and decisions for review', () => {
    store.insert(batch('B1'));
    const attempt = store.startAttempt('B1', 'capture', 'device:sim-1');
    store.finishAttempt(attempt, 'fatal', 'page 2 checksum mismatch');
    store.quarantine('B1', {
      reason: 'Checksum mismatch',
      stage: 'capturing',
      validationIssues: [],
      qcFindings: [],
      protocolErrors: [],
      checksumMismatches: [{ page: 2, expected: 'a', actual: 'b' }],
      attempts: store.attempts('B1'),
    });
    store.recordDecision('B1', { decision: 'reject', by: 'sofia', reason: 'Damaged original', note: 'torn' });
    const detail = store.detail('B1');
    expect(detail?.stage).toBe('quarantined');
    expect(detail?.quarantine?.checksumMismatches).toHaveLength(1);
    expect(detail?.attemptsHistory[0]).toMatchObject({ stage: 'capture', attempt: 1, outcome: 'fatal' });
    expect(detail?.decisions[0]).toMatchObject({
      decision: 'reject',
      by: 'sofia',
      reason: 'Damaged original',
    });
    expect(store.quarantined().map((q) => q.reason)).toEqual(['Checksum mismatch']);
  });
});
