import type { BatchStage, BatchSummary } from '../../../shared/contract/index';
import { positivePageCount } from '../../../shared/domain/manifest';
import type { StoredAttempt, StoredPage } from '../../records/batch-records';

/** The station's SQLite rows of a batch (pipeline migrations) and their values. */
export interface BatchRow {
  id: string;
  device: string;
  title: string;
  accession_numbers: string;
  operator: string;
  manifest_json: string;
  manifest_sha256: string;
  stage: BatchStage;
  pages_expected: number | null;
  pages_done: number;
  attempts: number;
  last_error: string | null;
  package_path: string | null;
  quarantine_json: string | null;
  quarantined_at: string | null;
  created_at: string;
  updated_at: string;
  /** Pipeline migration 2: the station's order of changes, carried to the lab's mirror. */
  change_seq: number;
  /** Pipeline migration 3: the highest page slot the batch reached, kept or not. */
  page_extent: number;
}

export const toSummary = (row: BatchRow): BatchSummary => ({
  id: row.id,
  device: row.device,
  title: row.title,
  accessionNumbers: JSON.parse(row.accession_numbers) as string[],
  stage: row.stage,
  pagesDone: row.pages_done,
  // Normalised on the way out too: a row stored before manifests were bounded may hold 0.
  pagesExpected: positivePageCount(row.pages_expected),
  attempts: row.attempts,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  operator: row.operator,
  lastError: row.last_error,
});

export interface PageRow {
  page: number;
  bytes: number;
  sha256: string;
  master_path: string;
  width: number | null;
  height: number | null;
  metadata_json: string | null;
  access_path: string | null;
  thumbnail_path: string | null;
  sidecar_path: string | null;
  captured_at: string;
}

export const toStoredPage = (r: PageRow): StoredPage => ({
  page: r.page,
  bytes: r.bytes,
  sha256: r.sha256,
  masterPath: r.master_path,
  width: r.width,
  height: r.height,
  metadata: r.metadata_json ? JSON.parse(r.metadata_json) : null,
  accessPath: r.access_path,
  thumbnailPath: r.thumbnail_path,
  sidecarPath: r.sidecar_path,
  capturedAt: r.captured_at,
});

export interface AttemptRow {
  id: number;
  stage: string;
  attempt: number;
  started_at: string;
  finished_at: string | null;
  outcome: StoredAttempt['outcome'];
  error: string | null;
  worker: string | null;
}

export const toAttempt = (a: AttemptRow): StoredAttempt => ({
  stage: a.stage,
  attempt: a.attempt,
  startedAt: a.started_at,
  finishedAt: a.finished_at,
  outcome: a.outcome,
  error: a.error,
  worker: a.worker,
});

export interface DecisionRow {
  id: number;
  decision: 'release' | 'requeue' | 'reject';
  decided_by: string;
  decided_at: string;
  reason: string;
  note: string;
  pages_json: string | null;
}

export const toDecision = (d: DecisionRow) => ({
  decision: d.decision,
  by: d.decided_by,
  at: d.decided_at,
  reason: d.reason,
  note: d.note,
  pages: d.pages_json ? (JSON.parse(d.pages_json) as number[]) : null,
});
