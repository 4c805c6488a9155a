import type {
  BatchDetail,
  BatchStage,
  BatchSummary,
  QuarantineDiagnostics,
} from '../../shared/contract/index';

/**
 * The batches as the console shows them and the pipeline records them: stage, pages, attempts,
 * quarantine diagnostics and decisions. Two engines keep them: the station's SQLite
 * (pipeline/batches/batch-store.ts, one station) and the lab's PostgreSQL
 * (records/postgres/batch-records.ts, every station of a lab). Nothing above this interface
 * names either.
 */
export interface BatchRecords {
  /** Inserts a new batch; null when the id is taken (nothing existing is touched). */
  insert(batch: NewBatch): Promise<BatchSummary | null>;
  summary(id: string): Promise<BatchSummary | null>;
  manifest(id: string): Promise<unknown>;
  detail(id: string): Promise<BatchDetail | null>;
  /** Newest first; `total` counts what the filter matches, `counts` every batch by stage. */
  list(filter: BatchListFilter): Promise<BatchList>;
  /** Oldest quarantine first: the review queue. */
  quarantined(): Promise<QuarantinedBatch[]>;
  setStage(id: string, stage: BatchStage, extra?: StageExtra): Promise<BatchSummary>;
  quarantine(id: string, diagnostics: QuarantineDiagnostics): Promise<BatchSummary>;
  recordDecision(id: string, decision: DecisionRecord): Promise<void>;
  /** Starts an attempt of a stage; returns its id for finishAttempt. */
  startAttempt(id: string, stage: string, worker: string | null): Promise<number>;
  finishAttempt(attemptId: number, outcome: AttemptOutcome, error: string | null): Promise<void>;
  attempts(id: string): Promise<StoredAttempt[]>;
  /** Records a verified master; a page already recorded is never replaced. */
  addPage(id: string, page: NewPage): Promise<void>;
  /** Removes page records (before a recapture); the files are moved aside, not deleted. */
  forgetPages(id: string, pages: number[]): Promise<void>;
  updatePage(id: string, page: number, patch: PagePatch): Promise<void>;
  page(id: string, page: number): Promise<StoredPage | null>;
  pages(id: string): Promise<StoredPage[]>;
}

export interface NewBatch {
  id: string;
  device: string;
  title: string;
  accessionNumbers: string[];
  operator: string;
  manifest: unknown;
  manifestSha256: string;
  pagesExpected: number | null;
}

export interface StoredPage {
  page: number;
  bytes: number;
  sha256: string;
  masterPath: string;
  width: number | null;
  height: number | null;
  metadata: unknown;
  accessPath: string | null;
  thumbnailPath: string | null;
  sidecarPath: string | null;
  capturedAt: string;
}

export type NewPage = Omit<
  StoredPage,
  'accessPath' | 'thumbnailPath' | 'sidecarPath' | 'metadata' | 'width' | 'height'
>;
export type PagePatch = Partial<
  Pick<StoredPage, 'width' | 'height' | 'metadata' | 'accessPath' | 'thumbnailPath' | 'sidecarPath'>
>;

export interface BatchListFilter {
  stage?: BatchStage;
  device?: string;
  /** How `device` matches: exactly (default), or as the start of the name (the console's filter). */
  deviceMatch?: 'exact' | 'prefix';
  search?: string;
  offset: number;
  limit: number;
}

export interface BatchList {
  total: number;
  items: BatchSummary[];
  counts: Record<string, number>;
}

export type QuarantinedBatch = BatchSummary & { reason: string; quarantinedAt: string };
export type StageExtra = { lastError?: string | null; packagePath?: string };
export type AttemptOutcome = 'success' | 'transient' | 'fatal';
export interface DecisionRecord {
  decision: 'release' | 'requeue' | 'reject';
  by: string;
  reason: string;
  note: string;
  pages?: number[];
}
export interface StoredAttempt {
  stage: string;
  attempt: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: AttemptOutcome | 'running';
  error: string | null;
  worker: string | null;
}

/**
 * The slots of a batch without a page, with why, so that a reviewer can choose them for
 * recapture: every number up to the expected count (or, for a feeder read until empty, up to the
 * highest page the batch reached: its extent where the station keeps it, and the pages its
 * quarantine names as failed) that holds no master.
 */
export function missingPages(
  expected: number | null,
  present: number[],
  quarantine: QuarantineDiagnostics | null,
  extent = 0,
): { page: number; why: string }[] {
  const have = new Set(present);
  const failed = [
    ...(quarantine?.checksumMismatches ?? []).map((m) => m.page),
    ...(quarantine?.qcFindings ?? []).flatMap((f) => (f.page !== null && f.page > 0 ? [f.page] : [])),
  ];
  const upTo = expected ?? Math.max(0, extent, ...present, ...failed);
  const why = (page: number) => {
    // Protocol errors are numbered as the scanner announced them, not by slot: not matched here.
    if (quarantine?.checksumMismatches.some((m) => m.page === page)) return 'failed its checksum';
    const finding = quarantine?.qcFindings.find((f) => f.page === page);
    if (finding) return finding.message;
    return 'not captured';
  };
  const missing: { page: number; why: string }[] = [];
  for (let page = 1; page <= upTo; page++) if (!have.has(page)) missing.push({ page, why: why(page) });
  return missing;
}

/** Escapes LIKE's wildcards (both engines use `\` as the escape character). */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
