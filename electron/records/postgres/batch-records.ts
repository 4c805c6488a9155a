import type pg from 'pg';
import type { BatchStage, BatchSummary, QuarantineDiagnostics } from '../../../shared/contract/index';
import { positivePageCount } from '../../../shared/domain/manifest';
import type { Clock } from '../../core/clock';
import {
  escapeLike,
  missingPages,
  type BatchListFilter,
  type BatchRecords,
  type StoredAttempt,
  type StoredPage,
} from '../batch-records';
import {
  iso,
  searchText,
  SUMMARY_COLUMNS,
  toPage,
  toSummary,
  type BatchRow,
  type PageRow,
} from './batch-rows';
import { inTransaction } from './lab-database';

/**
 * The lab's batches on PostgreSQL (lab migration 3, records/postgres/batch-tables.ts): every
 * station writes its own batches here and every console reads all of them. Each method is one
 * statement or one transaction, so a station killed half-way leaves nothing half-applied.
 */
export class PostgresBatchRecords implements BatchRecords {
  constructor(
    private readonly pool: pg.Pool,
    private readonly station: string,
    private readonly clock: Clock,
  ) {}

  private now(): Date {
    return new Date(this.clock.now());
  }

  async insert(batch: Parameters<BatchRecords['insert']>[0]): Promise<BatchSummary | null> {
    const now = this.now();
    const { rows } = await this.pool.query<BatchRow>(
      `INSERT INTO lab_batches (id, station, device, title, accession_numbers, search_text, operator,
         manifest, manifest_sha256, stage, pages_expected, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'validating', $10, $11, $11)
       ON CONFLICT (id) DO NOTHING
       RETURNING ${SUMMARY_COLUMNS}`,
      [
        batch.id,
        this.station,
        batch.device,
        batch.title,
        JSON.stringify(batch.accessionNumbers),
        searchText(batch.id, batch.accessionNumbers),
        batch.operator,
        JSON.stringify(batch.manifest),
        batch.manifestSha256,
        positivePageCount(batch.pagesExpected),
        now,
      ],
    );
    return rows[0] ? toSummary(rows[0]) : null;
  }

  async summary(id: string): Promise<BatchSummary | null> {
    const { rows } = await this.pool.query<BatchRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM lab_batches WHERE id = $1`,
      [id],
    );
    return rows[0] ? toSummary(rows[0]) : null;
  }

  async manifest(id: string): Promise<unknown> {
    const { rows } = await this.pool.query<{ manifest: unknown }>(
      'SELECT manifest FROM lab_batches WHERE id = $1',
      [id],
    );
    return rows[0]?.manifest ?? null;
  }

  async detail(id: string) {
    // One wait: the batch, its pages, attempts and decisions are asked for together.
    const [batch, pages, attempts, decisions] = await Promise.all([
      this.pool.query<BatchRow>('SELECT * FROM lab_batches WHERE id = $1', [id]),
      this.pages(id),
      this.attempts(id),
      this.pool.query<{
        decision: 'release' | 'requeue' | 'reject';
        decided_by: string;
        decided_at: Date;
        reason: string;
        note: string;
        pages: number[] | null;
      }>('SELECT * FROM lab_batch_decisions WHERE batch_id = $1 ORDER BY id', [id]),
    ]);
    const row = batch.rows[0];
    if (!row) return null;
    return {
      ...toSummary(row),
      manifest: row.manifest,
      pages: pages.map((p) => ({
        page: p.page,
        bytes: p.bytes,
        sha256: p.sha256,
        width: p.width,
        height: p.height,
        hasThumbnail: p.thumbnailPath !== null,
      })),
      missingPages: missingPages(
        row.pages_expected,
        pages.map((p) => p.page),
        row.quarantine,
        row.page_extent,
      ),
      attemptsHistory: attempts,
      quarantine: row.stage === 'quarantined' ? row.quarantine : null,
      packagePath: row.package_path,
      decisions: decisions.rows.map((d) => ({
        decision: d.decision,
        by: d.decided_by,
        at: iso(d.decided_at),
        reason: d.reason,
        note: d.note,
        pages: d.pages,
      })),
    };
  }

  async list(filter: BatchListFilter) {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const param = (value: string | number) => `$${params.push(value)}`;
    if (filter.stage) where.push(`stage = ${param(filter.stage)}`);
    // The console's filter: "sim" finds every simulator, "scanner-1" scanner-1 and scanner-12.
    if (filter.device && filter.deviceMatch === 'prefix')
      where.push(`device LIKE ${param(`${escapeLike(filter.device)}%`)}`);
    else if (filter.device) where.push(`device = ${param(filter.device)}`);
    if (filter.search) where.push(`search_text ILIKE ${param(`%${escapeLike(filter.search)}%`)}`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = param(filter.limit);
    const offset = param(filter.offset);
    // The stage counts answer the whole list and a stage's total; other filters are counted,
    // their indexes bounding the work to the batches they match. All in parallel: one wait.
    const counted = Boolean(filter.device || filter.search);
    const [page, stageCounts, filtered] = await Promise.all([
      this.pool.query<BatchRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM lab_batches ${clause}
         ORDER BY created_at DESC, id LIMIT ${limit} OFFSET ${offset}`,
        params,
      ),
      this.pool.query<{ stage: string; n: string }>(
        'SELECT stage, n FROM lab_batch_stage_counts WHERE n > 0',
      ),
      counted
        ? this.pool.query<{ n: string }>(
            `SELECT COUNT(*) AS n FROM lab_batches ${clause}`,
            params.slice(0, -2),
          )
        : null,
    ]);
    const counts = Object.fromEntries(stageCounts.rows.map((r) => [r.stage, Number(r.n)]));
    const total = filtered
      ? Number(filtered.rows[0]!.n)
      : filter.stage
        ? (counts[filter.stage] ?? 0)
        : Object.values(counts).reduce((a, b) => a + b, 0);
    return { total, items: page.rows.map(toSummary), counts };
  }

  async quarantined() {
    const { rows } = await this.pool.query<BatchRow & { reason: string | null }>(
      `SELECT ${SUMMARY_COLUMNS}, quarantine->>'reason' AS reason, quarantined_at FROM lab_batches
       WHERE stage = 'quarantined' ORDER BY quarantined_at, id`,
    );
    return rows.map((row) => ({
      ...toSummary(row),
      reason: row.reason ?? 'unknown',
      quarantinedAt: iso(row.quarantined_at ?? row.updated_at),
    }));
  }

  async setStage(
    id: string,
    stage: BatchStage,
    extra: { lastError?: string | null; packagePath?: string } = {},
  ): Promise<BatchSummary> {
    const { rows } = await this.pool.query<BatchRow>(
      `UPDATE lab_batches SET stage = $1, updated_at = $2,
         last_error = CASE WHEN $3 THEN $4 ELSE last_error END,
         package_path = COALESCE($5, package_path)
       WHERE id = $6 RETURNING ${SUMMARY_COLUMNS}`,
      [
        stage,
        this.now(),
        extra.lastError !== undefined,
        extra.lastError ?? null,
        extra.packagePath ?? null,
        id,
      ],
    );
    return mustExist(rows[0], id);
  }

  async quarantine(id: string, diagnostics: QuarantineDiagnostics): Promise<BatchSummary> {
    const now = this.now();
    const { rows } = await this.pool.query<BatchRow>(
      `UPDATE lab_batches SET stage = 'quarantined', quarantine = $1, quarantined_at = $2,
         updated_at = $2, last_error = $3
       WHERE id = $4 RETURNING ${SUMMARY_COLUMNS}`,
      [JSON.stringify(diagnostics), now, diagnostics.reason, id],
    );
    return mustExist(rows[0], id);
  }

  async recordDecision(id: string, decision: Parameters<BatchRecords['recordDecision']>[1]): Promise<void> {
    await this.pool.query(
      `INSERT INTO lab_batch_decisions (batch_id, decision, decided_by, decided_at, reason, note, pages)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        id,
        decision.decision,
        decision.by,
        this.now(),
        decision.reason,
        decision.note,
        decision.pages ? JSON.stringify(decision.pages) : null,
      ],
    );
  }

  async startAttempt(id: string, stage: string, worker: string | null): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      // The batch row's lock orders concurrent attempts of one batch: their numbers never repeat.
      await client.query('UPDATE lab_batches SET attempts = attempts + 1, updated_at = $1 WHERE id = $2', [
        this.now(),
        id,
      ]);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO lab_batch_attempts (batch_id, stage, attempt, started_at, outcome, worker)
         SELECT $1, $2, COUNT(*) + 1, $3, 'running', $4 FROM lab_batch_attempts WHERE batch_id = $1 AND stage = $2
         RETURNING id`,
        [id, stage, this.now(), worker],
      );
      return Number(rows[0]!.id);
    });
  }

  async finishAttempt(attemptId: number, outcome: 'success' | 'transient' | 'fatal', error: string | null) {
    await this.pool.query(
      'UPDATE lab_batch_attempts SET finished_at = $1, outcome = $2, error = $3 WHERE id = $4',
      [this.now(), outcome, error, attemptId],
    );
  }

  async attempts(id: string): Promise<StoredAttempt[]> {
    const { rows } = await this.pool.query<{
      stage: string;
      attempt: number;
      started_at: Date;
      finished_at: Date | null;
      outcome: StoredAttempt['outcome'];
      error: string | null;
      worker: string | null;
    }>('SELECT * FROM lab_batch_attempts WHERE batch_id = $1 ORDER BY id', [id]);
    return rows.map((a) => ({
      stage: a.stage,
      attempt: a.attempt,
      startedAt: iso(a.started_at),
      finishedAt: a.finished_at ? iso(a.finished_at) : null,
      outcome: a.outcome,
      error: a.error,
      worker: a.worker,
    }));
  }

  async addPage(id: string, page: Parameters<BatchRecords['addPage']>[1]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO lab_batch_pages (batch_id, page, bytes, sha256, master_path, captured_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (batch_id, page) DO NOTHING`,
        [id, page.page, page.bytes, page.sha256, page.masterPath, page.capturedAt],
      );
      await this.recountPages(client, id);
    });
  }

  async forgetPages(id: string, pages: number[]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM lab_batch_pages WHERE batch_id = $1 AND page = ANY($2::int[])', [
        id,
        pages,
      ]);
      await this.recountPages(client, id);
    });
  }

  private async recountPages(client: pg.PoolClient, id: string): Promise<void> {
    await client.query(
      `UPDATE lab_batches SET updated_at = $2,
         pages_done = (SELECT COUNT(*) FROM lab_batch_pages WHERE batch_id = $1) WHERE id = $1`,
      [id, this.now()],
    );
  }

  async updatePage(
    id: string,
    page: number,
    patch: Parameters<BatchRecords['updatePage']>[2],
  ): Promise<void> {
    // Each column keeps its value unless the patch names it (a null in the patch clears it).
    const has = (key: keyof typeof patch) => Object.prototype.hasOwnProperty.call(patch, key);
    await this.pool.query(
      `UPDATE lab_batch_pages SET
         width = CASE WHEN $3 THEN $4 ELSE width END,
         height = CASE WHEN $5 THEN $6 ELSE height END,
         metadata = CASE WHEN $7 THEN $8::jsonb ELSE metadata END,
         access_path = CASE WHEN $9 THEN $10 ELSE access_path END,
         thumbnail_path = CASE WHEN $11 THEN $12 ELSE thumbnail_path END,
         sidecar_path = CASE WHEN $13 THEN $14 ELSE sidecar_path END
       WHERE batch_id = $1 AND page = $2`,
      [
        id,
        page,
        has('width'),
        patch.width ?? null,
        has('height'),
        patch.height ?? null,
        has('metadata'),
        JSON.stringify(patch.metadata ?? null),
        has('accessPath'),
        patch.accessPath ?? null,
        has('thumbnailPath'),
        patch.thumbnailPath ?? null,
        has('sidecarPath'),
        patch.sidecarPath ?? null,
      ],
    );
  }

  async page(id: string, page: number): Promise<StoredPage | null> {
    const { rows } = await this.pool.query<PageRow>(
      'SELECT * FROM lab_batch_pages WHERE batch_id = $1 AND page = $2',
      [id, page],
    );
    return rows[0] ? toPage(rows[0]) : null;
  }

  async pages(id: string): Promise<StoredPage[]> {
    const { rows } = await this.pool.query<PageRow>(
      'SELECT * FROM lab_batch_pages WHERE batch_id = $1 ORDER BY page',
      [id],
    );
    return rows.map(toPage);
  }
}

function mustExist(row: BatchRow | undefined, id: string): BatchSummary {
  if (!row) throw new Error(`batch ${id} is not in the lab database`);
  return toSummary(row);
}
