import type { BatchSummary, QuarantineDiagnostics } from '../../shared/contract/index';
import type { DecisionRecord, StoredAttempt, StoredPage } from './batch-records';

/**
 * One batch as its station holds it at one moment, everything the lab's mirror keeps of it:
 * the lab replaces its copy of the batch with this whole, never merges pieces of two moments.
 * `changeSeq` is the station's number for the batch's latest change (pipeline migration 2):
 * the lab keeps the snapshot with the highest number it was sent, so a late or repeated one
 * changes nothing.
 */
export interface BatchSnapshot {
  summary: BatchSummary;
  manifest: unknown;
  manifestSha256: string;
  packagePath: string | null;
  /** As recorded, whatever the stage now (the detail view shows it only while quarantined). */
  quarantine: QuarantineDiagnostics | null;
  quarantinedAt: string | null;
  pages: StoredPage[];
  /**
   * The highest page the batch reached, kept or not (a sheet that left the feeder without a kept
   * page is still owed): the review lists the slots up to it that hold no page.
   */
  pageExtent: number;
  /** In the station's order; `id` is the station's own row id, which orders them. */
  attempts: (StoredAttempt & { id: number })[];
  decisions: SnapshotDecision[];
  changeSeq: number;
}

export type SnapshotDecision = Omit<DecisionRecord, 'pages'> & {
  id: number;
  decidedAt: string;
  pages: number[] | null;
};

/** A batch changed on the station, with the number of its latest change. */
export interface ChangedBatch {
  id: string;
  changeSeq: number;
}

/**
 * What the mirror reads from the station (one implementation: the station's SQLite,
 * pipeline/batches/batch-snapshot.ts). Synchronous: the station's own database answers at once.
 */
export interface BatchChangeReader {
  /** The batches whose latest change is numbered above `seq`, in that order, at most `limit`. */
  changedSince(seq: number, limit: number): ChangedBatch[];
  /** The batch as it is now; null when there is no such batch. */
  snapshot(id: string): BatchSnapshot | null;
  /** The highest change number of any batch (0: none), for a cheap "anything new?". */
  latestChangeSeq(): number;
}
