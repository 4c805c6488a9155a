import { createHash, randomUUID } from 'node:crypto';
import type { DeadLetter, StoredAsset, SyncRun } from '../../shared/contract/index';
import { canonicalJson } from '../../shared/domain/manifest';
import type { Statement } from 'better-sqlite3';
import { migrate, type Db } from '../storage/index';

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

export interface RunCounts {
  fetched: number;
  upserted: number;
  unchanged: number;
  deadLetters: number;
}

/** The local catalog: records keyed by accession number, sync runs, dead letters. */
export class CatalogStore {
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

  /**
   * Upserts one batch of records in one transaction: a record whose content is unchanged is
   * not rewritten; if anything fails, this batch is rolled back and earlier batches stay.
   */
  upsertBatch(records: StoredAsset[]): { upserted: number; unchanged: number } {
    return this.db.transaction(() => this.upsertRecords(records)).immediate();
  }

  /**
   * One step of a sync run, in one transaction (one commit, so one fsync): a batch of records,
   * the dead letters met since the last step, and the run's counts after them. The counts in
   * `counts` are those before this batch's records; the new ones are returned.
   */
  commitSyncStep(runId: string, records: StoredAsset[], letters: DeadLetter[], counts: RunCounts): RunCounts {
    return this.db
      .transaction(() => {
        const { upserted, unchanged } = this.upsertRecords(records);
        for (const letter of letters) this.writeDeadLetter(letter);
        const after = {
          ...counts,
          upserted: counts.upserted + upserted,
          unchanged: counts.unchanged + unchanged,
        };
        this.updateRun(runId, after);
        return after;
      })
      .immediate();
  }

  private upsertRecords(records: StoredAsset[]): { upserted: number; unchanged: number } {
    let upserted = 0;
    for (const record of records) {
      const { synced_at: syncedAt, ...content } = record;
      const hash = createHash('sha256').update(canonicalJson(content)).digest('hex');
      upserted += this.upsertRecord.run(
        record.accession_number,
        JSON.stringify(record),
        hash,
        syncedAt,
      ).changes;
    }
    return { upserted, unchanged: records.length - upserted };
  }

  get(accession: string): StoredAsset | null {
    const row = this.db
      .prepare('SELECT json FROM catalog_records WHERE accession_number = ?')
      .get(accession) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as StoredAsset) : null;
  }

  /** Every record in accession-number order, read a page at a time (bounded memory). */
  *each(pageSize = 500): Generator<StoredAsset> {
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

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM catalog_records').get() as { n: number }).n;
  }

  startRun(apiBase: string, total: number | null, now: string): string {
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO catalog_runs (id, api_base, state, total, started_at) VALUES (?, ?, 'running', ?, ?)`,
      )
      .run(id, apiBase, total, now);
    return id;
  }

  updateRun(
    id: string,
    patch: {
      fetched: number;
      upserted: number;
      unchanged: number;
      deadLetters: number;
      total?: number | null;
    },
  ): void {
    this.updateRunCounts.run(
      patch.fetched,
      patch.upserted,
      patch.unchanged,
      patch.deadLetters,
      patch.total ?? null,
      id,
    );
  }

  finishRun(id: string, state: 'completed' | 'failed', error: string | null, now: string): void {
    this.db
      .prepare('UPDATE catalog_runs SET state = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(state, error, now, id);
  }

  run(id: string): SyncRun | null {
    const row = this.db.prepare('SELECT * FROM catalog_runs WHERE id = ?').get(id) as
      Record<string, unknown> | undefined;
    return row ? runFromRow(row) : null;
  }

  runs(limit = 50): SyncRun[] {
    return (
      this.db.prepare('SELECT * FROM catalog_runs ORDER BY started_at DESC LIMIT ?').all(limit) as Record<
        string,
        unknown
      >[]
    ).map(runFromRow);
  }

  addDeadLetter(letter: DeadLetter): void {
    this.writeDeadLetter(letter);
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

  deadLetters(
    runId: string | undefined,
    offset: number,
    limit: number,
  ): { total: number; items: DeadLetter[] } {
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

  *deadLetterIds(runId: string): Generator<string> {
    for (const row of this.db
      .prepare('SELECT asset_id FROM catalog_dead_letters WHERE run_id = ? ORDER BY asset_id')
      .iterate(runId) as IterableIterator<{ asset_id: string }>) {
      yield row.asset_id;
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
