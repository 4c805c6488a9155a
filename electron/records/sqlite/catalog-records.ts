import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { DeadLetter, StoredAsset, SyncRun } from '../../../shared/contract/index';
import { migrate, type Db } from '../../storage/index';
import { catalogContentHash, type CatalogRecords, type RunCounts } from '../catalog-records';

const MIGRATIONS = [
  {
    version: 1,
    name: 'catalog',
    sql: `
      CREATE TABLE catalog_records (
        accession_number TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        synced_at TEXT NOT NULL
      );
      CREATE TABLE catalog_runs (
        id TEXT PRIMARY KEY, api_base TEXT NOT NULL, state TEXT NOT NULL, total INTEGER,
        fetched INTEGER NOT NULL DEFAULT 0, upserted INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,
        dead_letters INTEGER NOT NULL DEFAULT 0, started_at TEXT NOT NULL, finished_at TEXT, error TEXT
      );
      CREATE TABLE catalog_dead_letters (
        run_id TEXT NOT NULL, asset_id TEXT NOT NULL, reason TEXT NOT NULL, status INTEGER, detail TEXT NOT NULL,
        issues TEXT NOT NULL, attempts INTEGER NOT NULL, at TEXT NOT NULL, PRIMARY KEY (run_id, asset_id)
      );
    `,
  },
];

/**
 * The station's own catalog on its SQLite (one station). The work is synchronous, as
 * better-sqlite3 is: each method does it at once and only hands back a settled promise, so a
 * sync step of 500 records costs one promise and one commit (one fsync), not one per record.
 */
export class SqliteCatalogRecords implements CatalogRecords {
  /**
   * Inserts a record, or rewrites it only when its content hash differs: a statement that
   * changes no row is an unchanged record, so one statement per record does both jobs.
   */
  private readonly upsertRecord: Statement;
  private readonly updateRunCounts: Statement;
  private readonly insertDeadLetter: Statement;

  constructor(private readonly db: Db) {
    migrate(db, 'catalog', MIGRATIONS);
    this.upsertRecord = db.prepare(
      `INSERT INTO catalog_records (accession_number, json, content_hash, synced_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (accession_number) DO UPDATE SET json = excluded.json, content_hash = excluded.content_hash, synced_at = excluded.synced_at
       WHERE catalog_records.content_hash <> excluded.content_hash`,
    );
    this.updateRunCounts = db.prepare(
      'UPDATE catalog_runs SET fetched = ?, upserted = ?, unchanged = ?, dead_letters = ?, total = COALESCE(?, total) WHERE id = ?',
    );
    this.insertDeadLetter = db.prepare(
      `INSERT INTO catalog_dead_letters (run_id, asset_id, reason, status, detail, issues, attempts, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, asset_id) DO UPDATE SET reason = excluded.reason, status = excluded.status, detail = excluded.detail,
         issues = excluded.issues, attempts = excluded.attempts, at = excluded.at`,
    );
  }

  async upsert(records: readonly StoredAsset[]): Promise<{ upserted: number; unchanged: number }> {
    return this.db.transaction(() => this.upsertRecords(records)).immediate();
  }

  async commitSyncStep(
    runId: string,
    records: readonly StoredAsset[],
    letters: readonly DeadLetter[],
    counts: RunCounts,
  ): Promise<RunCounts> {
    return this.db
      .transaction(() => {
        const { upserted, unchanged } = this.upsertRecords(records);
        for (const letter of letters) this.writeDeadLetter(letter);
        const after = {
          ...counts,
          upserted: counts.upserted + upserted,
          unchanged: counts.unchanged + unchanged,
        };
        this.writeRunCounts(runId, after);
        return after;
      })
      .immediate();
  }

  private upsertRecords(records: readonly StoredAsset[]): { upserted: number; unchanged: number } {
    let upserted = 0;
    for (const record of records) {
      upserted += this.upsertRecord.run(
        record.accession_number,
        JSON.stringify(record),
        catalogContentHash(record),
        record.synced_at,
      ).changes;
    }
    return { upserted, unchanged: records.length - upserted };
  }

  async get(accession: string): Promise<StoredAsset | null> {
    const row = this.db
      .prepare('SELECT json FROM catalog_records WHERE accession_number = ?')
      .get(accession) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as StoredAsset) : null;
  }

  /**
   * Each page is read whole before it is handed out: no statement stays open across the
   * caller's awaits, when a write on this connection would find it busy.
   */
  async *each(pageSize = 500): AsyncGenerator<StoredAsset> {
    const page = this.db.prepare(
      'SELECT accession_number, json FROM catalog_records WHERE accession_number > ? ORDER BY accession_number LIMIT ?',
    );
    let after = '';
    for (;;) {
      const rows = page.all(after, pageSize) as { accession_number: string; json: string }[];
      for (const row of rows) yield JSON.parse(row.json) as StoredAsset;
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.accession_number;
    }
  }

  async count(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM catalog_records').get() as { n: number }).n;
  }

  async startRun(apiBase: string, total: number | null, now: string): Promise<string> {
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO catalog_runs (id, api_base, state, total, started_at) VALUES (?, ?, 'running', ?, ?)`,
      )
      .run(id, apiBase, total, now);
    return id;
  }

  async updateRun(id: string, patch: RunCounts & { total?: number | null }): Promise<void> {
    this.writeRunCounts(id, patch);
  }

  private writeRunCounts(id: string, patch: RunCounts & { total?: number | null }): void {
    this.updateRunCounts.run(
      patch.fetched,
      patch.upserted,
      patch.unchanged,
      patch.deadLetters,
      patch.total ?? null,
      id,
    );
  }

  async finishRun(id: string, state: 'completed' | 'failed', error: string | null, now: string) {
    this.db
      .prepare('UPDATE catalog_runs SET state = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(state, error, now, id);
  }

  async run(id: string): Promise<SyncRun | null> {
    const row = this.db.prepare('SELECT * FROM catalog_runs WHERE id = ?').get(id) as
      Record<string, unknown> | undefined;
    return row ? runFromRow(row) : null;
  }

  async runs(limit = 50): Promise<SyncRun[]> {
    return (
      this.db.prepare('SELECT * FROM catalog_runs ORDER BY started_at DESC LIMIT ?').all(limit) as Record<
        string,
        unknown
      >[]
    ).map(runFromRow);
  }

  private writeDeadLetter(letter: DeadLetter): void {
    this.insertDeadLetter.run(
      letter.runId,
      letter.assetId,
      letter.reason,
      letter.status,
      letter.detail,
      JSON.stringify(letter.issues),
      letter.attempts,
      letter.at,
    );
  }

  async deadLetters(
    runId: string | undefined,
    offset: number,
    limit: number,
  ): Promise<{ total: number; items: DeadLetter[] }> {
    const where = runId ? 'WHERE run_id = ?' : '';
    const params = runId ? [runId] : [];
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM catalog_dead_letters ${where}`).get(...params) as {
        n: number;
      }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM catalog_dead_letters ${where} ORDER BY at, asset_id LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as Record<string, unknown>[];
    return {
      total,
      items: rows.map((r) => ({
        runId: r.run_id as string,
        assetId: r.asset_id as string,
        reason: r.reason as DeadLetter['reason'],
        status: r.status as number | null,
        detail: r.detail as string,
        issues: JSON.parse(r.issues as string) as DeadLetter['issues'],
        attempts: r.attempts as number,
        at: r.at as string,
      })),
    };
  }

  /** Paged like `each`: a retry writes to this connection while it reads the ids. */
  async *deadLetterIds(runId: string, pageSize = 1000): AsyncGenerator<string> {
    const page = this.db.prepare(
      'SELECT asset_id FROM catalog_dead_letters WHERE run_id = ? AND asset_id > ? ORDER BY asset_id LIMIT ?',
    );
    let after = '';
    for (;;) {
      const ids = (page.all(runId, after, pageSize) as { asset_id: string }[]).map((r) => r.asset_id);
      yield* ids;
      if (ids.length < pageSize) return;
      after = ids[ids.length - 1]!;
    }
  }
}

function runFromRow(r: Record<string, unknown>): SyncRun {
  return {
    id: r.id as string,
    apiBase: r.api_base as string,
    state: r.state as SyncRun['state'],
    total: r.total as number | null,
    fetched: r.fetched as number,
    upserted: r.upserted as number,
    unchanged: r.unchanged as number,
    deadLetters: r.dead_letters as number,
    startedAt: r.started_at as string,
    finishedAt: r.finished_at as string | null,
    error: r.error as string | null,
  };
}
