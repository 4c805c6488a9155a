import type { QuarantineDiagnostics } from '../../../shared/contract/index';
import type {
  BatchChangeReader,
  BatchSnapshot,
  ChangedBatch,
  SnapshotDecision,
} from '../../records/batch-snapshot';
import type { Db } from '../../storage/index';
import {
  toAttempt,
  toStoredPage,
  toSummary,
  type AttemptRow,
  type BatchRow,
  type DecisionRow,
  type PageRow,
} from './batch-rows';

export type { BatchChangeReader, BatchSnapshot, ChangedBatch } from '../../records/batch-snapshot';

/**
 * One batch with its pages, attempts and decisions as the station's SQLite holds it, read in
 * one transaction so that the parts belong to the same moment; null when there is no such batch.
 */
export function readBatchSnapshot(db: Db, id: string): BatchSnapshot | null {
  return db.transaction((): BatchSnapshot | null => {
    const row = db.prepare('SELECT * FROM batches WHERE id = ?').get(id) as BatchRow | undefined;
    if (!row) return null;
    const pages = db
      .prepare('SELECT * FROM batch_pages WHERE batch_id = ? ORDER BY page')
      .all(id) as PageRow[];
    const attempts = db
      .prepare('SELECT * FROM batch_attempts WHERE batch_id = ? ORDER BY id')
      .all(id) as AttemptRow[];
    const decisions = db
      .prepare('SELECT * FROM batch_decisions WHERE batch_id = ? ORDER BY id')
      .all(id) as DecisionRow[];
    return {
      summary: toSummary(row),
      manifest: JSON.parse(row.manifest_json),
      manifestSha256: row.manifest_sha256,
      packagePath: row.package_path,
      quarantine: row.quarantine_json ? (JSON.parse(row.quarantine_json) as QuarantineDiagnostics) : null,
      quarantinedAt: row.quarantined_at,
      pages: pages.map(toStoredPage),
      pageExtent: row.page_extent,
      attempts: attempts.map((a) => ({ id: a.id, ...toAttempt(a) })),
      decisions: decisions.map((d): SnapshotDecision => ({
        id: d.id,
        decision: d.decision,
        by: d.decided_by,
        decidedAt: d.decided_at,
        reason: d.reason,
        note: d.note,
        pages: d.pages_json ? (JSON.parse(d.pages_json) as number[]) : null,
      })),
      changeSeq: row.change_seq,
    };
  })();
}

/** The batches changed after change number `seq`, oldest change first (an indexed range read). */
export function changedSince(db: Db, seq: number, limit: number): ChangedBatch[] {
  return (
    db
      .prepare('SELECT id, change_seq FROM batches WHERE change_seq > ? ORDER BY change_seq LIMIT ?')
      .all(seq, limit) as { id: string; change_seq: number }[]
  ).map((r) => ({ id: r.id, changeSeq: r.change_seq }));
}

/** The station's latest batch change number (0 when it has no batch). */
export function latestChangeSeq(db: Db): number {
  const row = db.prepare('SELECT MAX(change_seq) AS seq FROM batches').get() as { seq: number | null };
  return row.seq ?? 0;
}

/** The station's batches as the lab mirror reads them (LabBatchMirror's `changes`). */
export function localBatchChanges(db: Db): BatchChangeReader {
  return {
    changedSince: (seq, limit) => changedSince(db, seq, limit),
    snapshot: (id) => readBatchSnapshot(db, id),
    latestChangeSeq: () => latestChangeSeq(db),
  };
}
