export type { BatchListFilter, NewBatch, StoredPage } from '../../records/batch-records';
import type {
  BatchDetail,
  BatchStage,
  BatchSummary,
  QuarantineDiagnostics,
} from '../../../shared/contract/index';
import type { Clock } from '../../core/clock';
import { migrate, type Db } from '../../storage/index';
import { positivePageCount } from '../../../shared/domain/manifest';
import {
  escapeLike,
  missingPages,
  type BatchListFilter,
  type NewBatch,
  type StoredPage,
} from '../../records/batch-records';
import {
  toAttempt,
  toDecision,
  toStoredPage,
  toSummary,
  type AttemptRow,
  type BatchRow,
  type DecisionRow,
  type PageRow,
} from './batch-rows';
import { BATCH_MIGRATIONS } from './migrations';

/**
 * The batches as operators and supervisors see them: stage, pages, attempts, quarantine
 * diagnostics and decisions. Jobs in the queue do the work; this is the record of it.
 */
export class BatchStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    migrate(db, 'pipeline', BATCH_MIGRATIONS);
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** Inserts a new batch; returns null when the id is taken (nothing existing is touched). */
  insert(batch: NewBatch): BatchSummary | null {
    const now = this.nowIso();
    const result = this.db
      .prepare(
        `INSERT INTO batches (id, device, title, accession_numbers, operator, manifest_json, manifest_sha256,
           stage, pages_expected, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'validating', ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      )
      .run(
        batch.id,
        batch.device,
        batch.title,
        JSON.stringify(batch.accessionNumbers),
        batch.operator,
        JSON.stringify(batch.manifest),
        batch.manifestSha256,
        positivePageCount(batch.pagesExpected),
        now,
        now,
      );
    return result.changes === 1 ? this.summary(batch.id) : null;
  }

  summary(id: string): BatchSummary | null {
    const row = this.db.prepare('SELECT * FROM batches WHERE id = ?').get(id) as BatchRow | undefined;
    return row ? toSummary(row) : null;
  }

  /**
   * The highest page slot the batch ever reached, kept or not (0 before any): its pages, and pages
   * the scanner delivered that were not kept. A page forgotten for a recapture still counts.
   */
  pageExtent(id: string): number {
    const row = this.db
      .prepare(
        `SELECT MAX(page_extent, COALESCE((SELECT MAX(page) FROM batch_pages WHERE batch_id = ?), 0)) AS extent
         FROM batches WHERE id = ?`,
      )
      .get(id, id) as { extent: number } | undefined;
    return row?.extent ?? 0;
  }

  /** Raises the batch's page extent to `page` (never lowers it: a slot once reached stays owed). */
  notePageExtent(id: string, page: number): void {
    this.db
      .prepare('UPDATE batches SET page_extent = ? WHERE id = ? AND page_extent < ?')
      .run(page, id, page);
  }

  manifest(id: string): unknown {
    const row = this.db.prepare('SELECT manifest_json FROM batches WHERE id = ?').get(id) as
      { manifest_json: string } | undefined;
    return row ? JSON.parse(row.manifest_json) : null;
  }

  detail(id: string): BatchDetail | null {
    const row = this.db.prepare('SELECT * FROM batches WHERE id = ?').get(id) as BatchRow | undefined;
    if (!row) return null;
    const attempts = this.attempts(id);
    const quarantine = row.quarantine_json
      ? (JSON.parse(row.quarantine_json) as QuarantineDiagnostics)
      : null;
    const decisions = (
      this.db.prepare('SELECT * FROM batch_decisions WHERE batch_id = ? ORDER BY id').all(id) as DecisionRow[]
    ).map(toDecision);
    return {
      ...toSummary(row),
      manifest: JSON.parse(row.manifest_json),
      pages: this.pages(id).map((p) => ({
        page: p.page,
        bytes: p.bytes,
        sha256: p.sha256,
        width: p.width,
        height: p.height,
        hasThumbnail: p.thumbnailPath !== null,
      })),
      missingPages: missingPages(
        row.pages_expected,
        this.pages(id).map((p) => p.page),
        quarantine,
        this.pageExtent(id),
      ),
      attemptsHistory: attempts,
      quarantine: row.stage === 'quarantined' ? quarantine : null,
      packagePath: row.package_path,
      decisions,
    };
  }

  list(filter: BatchListFilter): { total: number; items: BatchSummary[]; counts: Record<string, number> } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.stage) {
      where.push('stage = ?');
      params.push(filter.stage);
    }
    if (filter.device && filter.deviceMatch === 'prefix') {
      // The console's filter: "sim" finds every simulator, "scanner-1" scanner-1 and scanner-12.
      where.push("device LIKE ? ESCAPE '\\'");
      params.push(`${escapeLike(filter.device)}%`);
    } else if (filter.device) {
      where.push('device = ?');
      params.push(filter.device);
    }
    if (filter.search) {
      where.push("(id LIKE ? ESCAPE '\\' OR accession_numbers LIKE ? ESCAPE '\\')");
      const like = `%${escapeLike(filter.search)}%`;
      params.push(like, like);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM batches ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM batches ${clause} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
      .all(...params, filter.limit, filter.offset) as BatchRow[];
    const counts = Object.fromEntries(
      (
        this.db.prepare('SELECT stage, COUNT(*) AS n FROM batches GROUP BY stage').all() as {
          stage: string;
          n: number;
        }[]
      ).map((r) => [r.stage, r.n]),
    );
    return { total, items: rows.map(toSummary), counts };
  }

  quarantined(): (BatchSummary & { reason: string; quarantinedAt: string })[] {
    const rows = this.db
      .prepare("SELECT * FROM batches WHERE stage = 'quarantined' ORDER BY quarantined_at")
      .all() as BatchRow[];
    return rows.map((row) => ({
      ...toSummary(row),
      reason: row.quarantine_json
        ? (JSON.parse(row.quarantine_json) as QuarantineDiagnostics).reason
        : 'unknown',
      quarantinedAt: row.quarantined_at ?? row.updated_at,
    }));
  }

  setStage(
    id: string,
    stage: BatchStage,
    extra: { lastError?: string | null; packagePath?: string } = {},
  ): BatchSummary {
    this.db
      .prepare(
        `UPDATE batches SET stage = ?, updated_at = ?,
           last_error = CASE WHEN ? THEN ? ELSE last_error END,
           package_path = COALESCE(?, package_path)
         WHERE id = ?`,
      )
      .run(
        stage,
        this.nowIso(),
        extra.lastError !== undefined ? 1 : 0,
        extra.lastError ?? null,
        extra.packagePath ?? null,
        id,
      );
    return this.mustSummary(id);
  }

  quarantine(id: string, diagnostics: QuarantineDiagnostics): BatchSummary {
    const now = this.nowIso();
    this.db
      .prepare(
        `UPDATE batches SET stage = 'quarantined', quarantine_json = ?, quarantined_at = ?, updated_at = ?,
           last_error = ? WHERE id = ?`,
      )
      .run(JSON.stringify(diagnostics), now, now, diagnostics.reason, id);
    return this.mustSummary(id);
  }

  recordDecision(
    id: string,
    decision: {
      decision: 'release' | 'requeue' | 'reject';
      by: string;
      reason: string;
      note: string;
      pages?: number[];
    },
  ): void {
    this.db
      .prepare(
        `INSERT INTO batch_decisions (batch_id, decision, decided_by, decided_at, reason, note, pages_json)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        decision.decision,
        decision.by,
        this.nowIso(),
        decision.reason,
        decision.note,
        decision.pages ? JSON.stringify(decision.pages) : null,
      );
  }

  /** Starts an attempt of a stage; returns its row id for finishAttempt. */
  startAttempt(id: string, stage: string, worker: string | null): number {
    const tx = this.db.transaction(() => {
      const previous = (
        this.db
          .prepare('SELECT COUNT(*) AS n FROM batch_attempts WHERE batch_id = ? AND stage = ?')
          .get(id, stage) as { n: number }
      ).n;
      this.db
        .prepare('UPDATE batches SET attempts = attempts + 1, updated_at = ? WHERE id = ?')
        .run(this.nowIso(), id);
      return Number(
        this.db
          .prepare(
            `INSERT INTO batch_attempts (batch_id, stage, attempt, started_at, outcome, worker) VALUES (?, ?, ?, ?, 'running', ?)`,
          )
          .run(id, stage, previous + 1, this.nowIso(), worker).lastInsertRowid,
      );
    });
    return tx.immediate();
  }

  finishAttempt(attemptId: number, outcome: 'success' | 'transient' | 'fatal', error: string | null): void {
    this.db
      .prepare('UPDATE batch_attempts SET finished_at = ?, outcome = ?, error = ? WHERE id = ?')
      .run(this.nowIso(), outcome, error, attemptId);
  }

  attempts(id: string) {
    return (
      this.db.prepare('SELECT * FROM batch_attempts WHERE batch_id = ? ORDER BY id').all(id) as AttemptRow[]
    ).map(toAttempt);
  }

  /** Records a verified master; a page already recorded is never replaced here. */
  addPage(
    id: string,
    page: Omit<StoredPage, 'accessPath' | 'thumbnailPath' | 'sidecarPath' | 'metadata' | 'width' | 'height'>,
  ): void {
    const tx = this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO batch_pages (batch_id, page, bytes, sha256, master_path, captured_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (batch_id, page) DO NOTHING`,
        )
        .run(id, page.page, page.bytes, page.sha256, page.masterPath, page.capturedAt);
      this.db
        .prepare(
          'UPDATE batches SET pages_done = (SELECT COUNT(*) FROM batch_pages WHERE batch_id = ?), updated_at = ? WHERE id = ?',
        )
        .run(id, this.nowIso(), id);
    });
    tx.immediate();
  }

  /** Removes page records (before a recapture); the files themselves are moved aside, not deleted. */
  forgetPages(id: string, pages: number[]): void {
    const tx = this.db.transaction(() => {
      const del = this.db.prepare('DELETE FROM batch_pages WHERE batch_id = ? AND page = ?');
      for (const p of pages) del.run(id, p);
      // A page forgotten is still owed: the batch reached it.
      this.db
        .prepare(
          `UPDATE batches SET pages_done = (SELECT COUNT(*) FROM batch_pages WHERE batch_id = ?),
             page_extent = MAX(page_extent, ?), updated_at = ? WHERE id = ?`,
        )
        .run(id, Math.max(0, ...pages), this.nowIso(), id);
    });
    tx.immediate();
  }

  updatePage(
    id: string,
    page: number,
    patch: Partial<
      Pick<StoredPage, 'width' | 'height' | 'metadata' | 'accessPath' | 'thumbnailPath' | 'sidecarPath'>
    >,
  ): void {
    const current = this.page(id, page);
    if (!current) return;
    const next = { ...current, ...patch };
    this.db
      .prepare(
        `UPDATE batch_pages SET width = ?, height = ?, metadata_json = ?, access_path = ?, thumbnail_path = ?, sidecar_path = ?
         WHERE batch_id = ? AND page = ?`,
      )
      .run(
        next.width,
        next.height,
        JSON.stringify(next.metadata ?? null),
        next.accessPath,
        next.thumbnailPath,
        next.sidecarPath,
        id,
        page,
      );
  }

  page(id: string, page: number): StoredPage | null {
    return this.pages(id).find((p) => p.page === page) ?? null;
  }

  pages(id: string): StoredPage[] {
    return (
      this.db.prepare('SELECT * FROM batch_pages WHERE batch_id = ? ORDER BY page').all(id) as PageRow[]
    ).map(toStoredPage);
  }

  private mustSummary(id: string): BatchSummary {
    const summary = this.summary(id);
    if (!summary) throw new Error(`batch ${id} vanished`);
    return summary;
  }
}
