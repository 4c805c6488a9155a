import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DeadLetter, StoredAsset, SyncRun } from '../../../shared/contract/index';
import {
  catalogContentHash,
  CatalogUnreachableError,
  type CatalogRecords,
  type RunCounts,
} from '../catalog-records';
import { iso } from './batch-rows';
import { inTransaction, isLabDatabaseUnreachable } from './lab-database';

type Queryable = pg.Pool | pg.PoolClient;

interface RunRow {
  id: string;
  api_base: string;
  state: SyncRun['state'];
  total: number | null;
  fetched: number;
  upserted: number;
  unchanged: number;
  dead_letters: number;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
}

interface DeadLetterRow {
  run_id: string;
  asset_id: string;
  reason: DeadLetter['reason'];
  status: number | null;
  detail: string;
  issues: DeadLetter['issues'];
  attempts: number;
  at: Date;
}

/**
 * The lab's catalog on PostgreSQL (lab migration 7): one sync at any station fills it for every
 * station. A sync step is one transaction whose records and dead letters go in one statement
 * each (arrays unnested by the server), so a step of 500 records is a handful of round trips.
 */
export class PostgresCatalogRecords implements CatalogRecords {
  constructor(
    private readonly pool: pg.Pool,
    private readonly station: string,
  ) {}

  async commitSyncStep(
    runId: string,
    records: readonly StoredAsset[],
    letters: readonly DeadLetter[],
    counts: RunCounts,
  ): Promise<RunCounts> {
    return inTransaction(this.pool, async (client) => {
      const { upserted, unchanged } = await this.upsertRecords(client, records);
      await this.insertDeadLetters(client, letters);
      const after = {
        ...counts,
        upserted: counts.upserted + upserted,
        unchanged: counts.unchanged + unchanged,
      };
      await this.writeRunCounts(client, runId, after);
      return after;
    });
  }

  async upsert(records: readonly StoredAsset[]): Promise<{ upserted: number; unchanged: number }> {
    return inTransaction(this.pool, (client) => this.upsertRecords(client, records));
  }

  /**
   * A record changed by another station's sync in the meantime is compared with what is stored
   * now: only a different content hash rewrites it. A step that names one accession number
   * twice is written in rounds, each naming it once, in the order given (as SQLite would).
   */
  private async upsertRecords(
    client: Queryable,
    records: readonly StoredAsset[],
  ): Promise<{ upserted: number; unchanged: number }> {
    let upserted = 0;
    for (const round of rounds(records, (r) => r.accession_number)) {
      const { rowCount } = await client.query(
        `INSERT INTO lab_catalog_records (accession_number, record, content_hash, synced_at, synced_by)
         SELECT accession_number, record, content_hash, synced_at, $5
           FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::text[])
             AS step (accession_number, record, content_hash, synced_at)
         ON CONFLICT (accession_number) DO UPDATE SET record = excluded.record,
           content_hash = excluded.content_hash, synced_at = excluded.synced_at, synced_by = excluded.synced_by
         WHERE lab_catalog_records.content_hash <> excluded.content_hash`,
        [
          round.map((r) => r.accession_number),
          round.map((r) => JSON.stringify(r)),
          round.map(catalogContentHash),
          round.map((r) => r.synced_at),
          this.station,
        ],
      );
      upserted += rowCount ?? 0;
    }
    return { upserted, unchanged: records.length - upserted };
  }

  private async insertDeadLetters(client: Queryable, letters: readonly DeadLetter[]): Promise<void> {
    for (const round of rounds(letters, (l) => `${l.runId}\u0000${l.assetId}`))
      await client.query(
        `INSERT INTO lab_catalog_dead_letters (run_id, asset_id, reason, status, detail, issues, attempts, at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::jsonb[],
           $7::integer[], $8::timestamptz[])
         ON CONFLICT (run_id, asset_id) DO UPDATE SET reason = excluded.reason, status = excluded.status,
           detail = excluded.detail, issues = excluded.issues, attempts = excluded.attempts, at = excluded.at`,
        [
          round.map((l) => l.runId),
          round.map((l) => l.assetId),
          round.map((l) => l.reason),
          round.map((l) => l.status),
          round.map((l) => l.detail),
          round.map((l) => JSON.stringify(l.issues)),
          round.map((l) => l.attempts),
          round.map((l) => l.at),
        ],
      );
  }

  async get(accession: string): Promise<StoredAsset | null> {
    try {
      const { rows } = await this.pool.query<{ record: StoredAsset }>(
        'SELECT record FROM lab_catalog_records WHERE accession_number = $1',
        [accession],
      );
      return rows[0]?.record ?? null;
    } catch (error) {
      if (!isLabDatabaseUnreachable(error)) throw error;
      throw new CatalogUnreachableError(`the lab database did not answer (${(error as Error).message})`, {
        cause: error,
      });
    }
  }

  async *each(pageSize = 500): AsyncGenerator<StoredAsset> {
    let after = '';
    for (;;) {
      const { rows } = await this.pool.query<{ accession_number: string; record: StoredAsset }>(
        `SELECT accession_number, record FROM lab_catalog_records WHERE accession_number > $1
          ORDER BY accession_number LIMIT $2`,
        [after, pageSize],
      );
      for (const row of rows) yield row.record;
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.accession_number;
    }
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM lab_catalog_records',
    );
    return rows[0]!.n;
  }

  async startRun(apiBase: string, total: number | null, now: string): Promise<string> {
    const id = randomUUID();
    await this.pool.query(
      `INSERT INTO lab_catalog_runs (id, station, api_base, state, total, started_at)
       VALUES ($1, $2, $3, 'running', $4, $5)`,
      [id, this.station, apiBase, total, now],
    );
    return id;
  }

  async updateRun(id: string, patch: RunCounts & { total?: number | null }): Promise<void> {
    await this.writeRunCounts(this.pool, id, patch);
  }

  private async writeRunCounts(
    client: Queryable,
    id: string,
    patch: RunCounts & { total?: number | null },
  ): Promise<void> {
    await client.query(
      `UPDATE lab_catalog_runs SET fetched = $1, upserted = $2, unchanged = $3, dead_letters = $4,
         total = COALESCE($5, total) WHERE id = $6`,
      [patch.fetched, patch.upserted, patch.unchanged, patch.deadLetters, patch.total ?? null, id],
    );
  }

  async finishRun(id: string, state: 'completed' | 'failed', error: string | null, now: string) {
    await this.pool.query(
      'UPDATE lab_catalog_runs SET state = $1, error = $2, finished_at = $3 WHERE id = $4',
      [state, error, now, id],
    );
  }

  async run(id: string): Promise<SyncRun | null> {
    const { rows } = await this.pool.query<RunRow>('SELECT * FROM lab_catalog_runs WHERE id = $1', [id]);
    return rows[0] ? runFromRow(rows[0]) : null;
  }

  async runs(limit = 50): Promise<SyncRun[]> {
    const { rows } = await this.pool.query<RunRow>(
      'SELECT * FROM lab_catalog_runs ORDER BY started_at DESC LIMIT $1',
      [limit],
    );
    return rows.map(runFromRow);
  }

  async deadLetters(
    runId: string | undefined,
    offset: number,
    limit: number,
  ): Promise<{ total: number; items: DeadLetter[] }> {
    const where = runId ? 'WHERE run_id = $1' : '';
    const params = runId ? [runId] : [];
    const next = params.length + 1;
    const [counted, page] = await Promise.all([
      this.pool.query<{ n: number }>(
        `SELECT count(*)::integer AS n FROM lab_catalog_dead_letters ${where}`,
        params,
      ),
      this.pool.query<DeadLetterRow>(
        `SELECT * FROM lab_catalog_dead_letters ${where} ORDER BY at, asset_id LIMIT $${next} OFFSET $${next + 1}`,
        [...params, limit, offset],
      ),
    ]);
    return {
      total: counted.rows[0]!.n,
      items: page.rows.map((r) => ({
        runId: r.run_id,
        assetId: r.asset_id,
        reason: r.reason,
        status: r.status,
        detail: r.detail,
        issues: r.issues,
        attempts: r.attempts,
        at: iso(r.at),
      })),
    };
  }

  async *deadLetterIds(runId: string, pageSize = 1000): AsyncGenerator<string> {
    let after = '';
    for (;;) {
      const { rows } = await this.pool.query<{ asset_id: string }>(
        `SELECT asset_id FROM lab_catalog_dead_letters WHERE run_id = $1 AND asset_id > $2
          ORDER BY asset_id LIMIT $3`,
        [runId, after, pageSize],
      );
      for (const row of rows) yield row.asset_id;
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.asset_id;
    }
  }
}

/**
 * Splits items so that no round names a key twice (one statement may not touch a row twice):
 * the nth occurrence of a key goes to round n, so each key's occurrences keep their order. Each
 * round is sorted by key, so that two stations syncing the same records lock them in one order.
 */
function rounds<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const seen = new Map<string, number>();
  const out: T[][] = [];
  for (const item of items) {
    const k = key(item);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    (out[n] ??= []).push(item);
  }
  const byKey = (a: T, b: T) => {
    const [x, y] = [key(a), key(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return out.map((round) => round.sort(byKey));
}

function runFromRow(r: RunRow): SyncRun {
  return {
    id: r.id,
    apiBase: r.api_base,
    state: r.state,
    total: r.total,
    fetched: r.fetched,
    upserted: r.upserted,
    unchanged: r.unchanged,
    deadLetters: r.dead_letters,
    startedAt: iso(r.started_at),
    finishedAt: r.finished_at ? iso(r.finished_at) : null,
    error: r.error,
  };
}
