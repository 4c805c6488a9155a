import type { BatchStage, BatchSummary, QuarantineDiagnostics } from '../../../shared/contract/index';
import { positivePageCount } from '../../../shared/domain/manifest';
import type { StoredPage } from '../batch-records';

/** The lab's rows of a batch (lab migrations 3 and 6) and their values. */
export interface BatchRow {
  id: string;
  station: string;
  device: string;
  title: string;
  accession_numbers: string[];
  operator: string;
  manifest: unknown;
  stage: BatchStage;
  pages_expected: number | null;
  pages_done: number;
  /** The highest page the batch reached, kept or not (lab migration 9). */
  page_extent: number;
  attempts: number;
  last_error: string | null;
  package_path: string | null;
  quarantine: QuarantineDiagnostics | null;
  quarantined_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The summary's columns: everything but the manifest and the diagnostics, which can be large. */
export const SUMMARY_COLUMNS = `id, station, device, title, accession_numbers, operator, stage, pages_expected,
  pages_done, attempts, last_error, created_at, updated_at`;

export const iso = (d: Date) => d.toISOString();

export const toSummary = (row: BatchRow): BatchSummary => ({
  id: row.id,
  station: row.station,
  device: row.device,
  title: row.title,
  accessionNumbers: row.accession_numbers,
  stage: row.stage,
  pagesDone: row.pages_done,
  pagesExpected: positivePageCount(row.pages_expected),
  attempts: row.attempts,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
  operator: row.operator,
  lastError: row.last_error,
});

export interface PageRow {
  page: number;
  bytes: string;
  sha256: string;
  master_path: string;
  width: number | null;
  height: number | null;
  metadata: unknown;
  access_path: string | null;
  thumbnail_path: string | null;
  sidecar_path: string | null;
  captured_at: Date;
}

export const toPage = (r: PageRow): StoredPage => ({
  page: r.page,
  bytes: Number(r.bytes),
  sha256: r.sha256,
  masterPath: r.master_path,
  width: r.width,
  height: r.height,
  metadata: r.metadata ?? null,
  accessPath: r.access_path,
  thumbnailPath: r.thumbnail_path,
  sidecarPath: r.sidecar_path,
  capturedAt: iso(r.captured_at),
});

/** A batch's id and accession numbers as one text, for the console's search. */
export const searchText = (id: string, accessions: readonly string[]) => [id, ...accessions].join(' ');
