import path from 'node:path';
import type pg from 'pg';
import { verifyChain } from '../audit/chain';
import { rowToEvent, type AuditRow } from '../audit/query';
import { openDatabaseReadOnly, type Db } from '../storage/index';
import {
  importStationAccounts,
  LabAccountImportConflict,
  type LabAccountImport,
} from './postgres/lab-account-import';
import { appendStationEvents, labHeldUpTo, verifyLabChain } from './postgres/lab-audit-chain';
import { advanceLabMirrorMark } from './postgres/batch-mirror';
import { inTransaction } from './postgres/lab-database';
import { readStationAccounts } from './sqlite/account-store';

/** What a station holds and what the lab holds of it after the import: equal, or the import failed. */
export interface ImportCounts {
  batches: number;
  pages: number;
  attempts: number;
  decisions: number;
  auditEvents: number;
}

export interface ImportReport {
  station: string;
  imported: ImportCounts;
  /** The station's people: moved with their ids, roles and password hashes, or already there. */
  accounts: LabAccountImport;
  /** The lab chain verified after the import, with this station's chain inside it. */
  labChain: { ok: boolean; checked: number; stations: number };
}

export class LabImportRefused extends Error {
  override readonly name = 'LabImportRefused';
}

/** Rows copied per statement: a few MB of JSON, well under PostgreSQL's limits. */
const CHUNK = 1_000;

/**
 * `quire lab import`: moves one station's records (its people; batches with pages, attempts and
 * decisions; its audit log) into the lab database, once. The station's SQLite is only read (opened
 * read-only, so it is left exactly as it was) and its own audit chain is verified first. The
 * audit events go through the same append as a running station's outbox (resumable: a second
 * try adds nothing twice); the batches go in one transaction that also records the import, and
 * is committed only when the lab's counts of this station equal the station's own (with the
 * station's batch mirror mark at its latest change, so its mirror carries only what follows).
 * Refused, with nothing written: a station imported before, a batch id the lab already holds,
 * a station chain that does not verify.
 */
export async function importStation(options: { dataDir: string; station: string; pool: pg.Pool }) {
  const { station, pool } = options;
  const db = openDatabaseReadOnly(path.join(options.dataDir, 'quire.db'));
  try {
    // One read transaction: a consistent snapshot even if something else reads meanwhile.
    db.exec('BEGIN');
    const local = countStation(db);
    const rows = db
      .prepare('SELECT * FROM audit_events ORDER BY seq')
      .iterate() as IterableIterator<AuditRow>;
    const chain = verifyChain(
      (function* () {
        for (const row of rows) yield rowToEvent(row);
      })(),
      db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as
        { seq: number; hash: string } | undefined,
    );
    if (!chain.ok)
      throw new LabImportRefused(
        `the station's own audit chain does not verify (${chain.reason} at event ${chain.firstBrokenSeq}): nothing imported`,
      );
    const before = await pool.query<{ imported_at: Date }>(
      'SELECT imported_at FROM lab_station_imports WHERE station = $1',
      [station],
    );
    if (before.rows[0])
      throw new LabImportRefused(
        `station ${station} was imported into this lab on ${before.rows[0].imported_at.toISOString()}: an import happens once`,
      );
    await refuseTakenIds(db, pool);
    // People first, all or nothing: a username the lab gives to someone else refuses the import
    // before anything else is written (the same person already there counts as imported).
    let accounts: LabAccountImport;
    try {
      accounts = await importStationAccounts(pool, readStationAccounts(db));
    } catch (error) {
      if (error instanceof LabAccountImportConflict) throw new LabImportRefused(error.message);
      throw error;
    }
    await pushAudit(db, pool, station);
    await copyBatches(db, pool, station, local);
    const lab = await verifyLabChain(pool);
    if (!lab.ok) throw new Error(`the lab's audit chain does not verify after the import: ${lab.reason}`);
    return {
      station,
      imported: local,
      accounts,
      labChain: { ok: lab.ok, checked: lab.checked, stations: lab.stations },
    } satisfies ImportReport;
  } finally {
    db.close();
  }
}

function countStation(db: Db): ImportCounts {
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    batches: n('SELECT COUNT(*) AS n FROM batches'),
    pages: n('SELECT COUNT(*) AS n FROM batch_pages'),
    attempts: n('SELECT COUNT(*) AS n FROM batch_attempts'),
    decisions: n('SELECT COUNT(*) AS n FROM batch_decisions'),
    auditEvents: n('SELECT COUNT(*) AS n FROM audit_events'),
  };
}

async function refuseTakenIds(db: Db, pool: pg.Pool): Promise<void> {
  const ids = (db.prepare('SELECT id FROM batches').pluck().all() as string[]) ?? [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const { rows } = await pool.query<{ id: string; station: string }>(
      'SELECT id, station FROM lab_batches WHERE id = ANY($1::text[]) ORDER BY id LIMIT 5',
      [ids.slice(i, i + CHUNK)],
    );
    if (rows.length)
      throw new LabImportRefused(
        `the lab already holds batch ${rows.map((r) => `${r.id} (from ${r.station})`).join(', ')}: nothing imported`,
      );
  }
}

async function pushAudit(db: Db, pool: pg.Pool, station: string): Promise<void> {
  const select = db.prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?');
  for (let after = await labHeldUpTo(pool, station); ;) {
    const events = (select.all(after, CHUNK) as AuditRow[]).map(rowToEvent);
    if (events.length === 0) return;
    await appendStationEvents(pool, station, events);
    after = events.at(-1)!.seq;
  }
}

/** Every table copied in chunks of JSON rows, inside one transaction with the import's record. */
async function copyBatches(db: Db, pool: pg.Pool, station: string, local: ImportCounts): Promise<void> {
  await inTransaction(pool, async (client) => {
    // Each insert reads its chunk as $1; the batches' also takes the station as $2 (the other
    // tables reach the station through their batch).
    const copy = async (select: string, insert: string, more: unknown[] = []) => {
      const rows = db.prepare(select).iterate() as IterableIterator<Record<string, unknown>>;
      let chunk: Record<string, unknown>[] = [];
      const flush = async () => {
        if (chunk.length) await client.query(insert, [JSON.stringify(chunk), ...more]);
        chunk = [];
      };
      for (const row of rows) {
        chunk.push(row);
        if (chunk.length === CHUNK) await flush();
      }
      await flush();
    };
    await copy(
      'SELECT * FROM batches',
      `INSERT INTO lab_batches (id, station, device, title, accession_numbers, search_text, operator, manifest,
         manifest_sha256, stage, pages_expected, pages_done, page_extent, attempts, last_error,
         package_path, quarantine, quarantined_at, created_at, updated_at, station_change_seq)
       SELECT r.id, $2, r.device, r.title, r.accession_numbers::jsonb,
         r.id || ' ' || (SELECT coalesce(string_agg(a, ' '), '') FROM jsonb_array_elements_text(r.accession_numbers::jsonb) a),
         r.operator, r.manifest_json::jsonb, r.manifest_sha256, r.stage, r.pages_expected, r.pages_done,
         coalesce(r.page_extent, 0), r.attempts, r.last_error, r.package_path, r.quarantine_json::jsonb,
         r.quarantined_at::timestamptz, r.created_at::timestamptz, r.updated_at::timestamptz,
         coalesce(r.change_seq, 0)
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, device text, title text, accession_numbers text,
         operator text, manifest_json text, manifest_sha256 text, stage text, pages_expected int, pages_done int,
         page_extent int, attempts int, last_error text, package_path text, quarantine_json text,
         quarantined_at text, created_at text, updated_at text, change_seq bigint)`,
      [station],
    );
    await copy(
      'SELECT * FROM batch_pages',
      `INSERT INTO lab_batch_pages (batch_id, page, bytes, sha256, master_path, width, height, metadata,
         access_path, thumbnail_path, sidecar_path, captured_at)
       SELECT r.batch_id, r.page, r.bytes, r.sha256, r.master_path, r.width, r.height, r.metadata_json::jsonb,
         r.access_path, r.thumbnail_path, r.sidecar_path, r.captured_at::timestamptz
       FROM jsonb_to_recordset($1::jsonb) AS r(batch_id text, page int, bytes bigint, sha256 text,
         master_path text, width int, height int, metadata_json text, access_path text, thumbnail_path text,
         sidecar_path text, captured_at text)
`,
    );
    await copy(
      'SELECT * FROM batch_attempts ORDER BY id',
      `INSERT INTO lab_batch_attempts (batch_id, stage, attempt, started_at, finished_at, outcome, error, worker)
       SELECT r.batch_id, r.stage, r.attempt, r.started_at::timestamptz, r.finished_at::timestamptz, r.outcome,
         r.error, r.worker
       FROM jsonb_to_recordset($1::jsonb) AS r(batch_id text, stage text, attempt int, started_at text,
         finished_at text, outcome text, error text, worker text)
`,
    );
    await copy(
      'SELECT * FROM batch_decisions ORDER BY id',
      `INSERT INTO lab_batch_decisions (batch_id, decision, decided_by, decided_at, reason, note, pages)
       SELECT r.batch_id, r.decision, r.decided_by, r.decided_at::timestamptz, r.reason, r.note,
         r.pages_json::jsonb
       FROM jsonb_to_recordset($1::jsonb) AS r(batch_id text, decision text, decided_by text, decided_at text,
         reason text, note text, pages_json text)
`,
    );
    const { rows } = await client.query<Record<keyof ImportCounts, string>>(
      `SELECT
         (SELECT COUNT(*) FROM lab_batches WHERE station = $1) AS batches,
         (SELECT COUNT(*) FROM lab_batch_pages p JOIN lab_batches b ON b.id = p.batch_id WHERE b.station = $1) AS pages,
         (SELECT COUNT(*) FROM lab_batch_attempts a JOIN lab_batches b ON b.id = a.batch_id WHERE b.station = $1) AS attempts,
         (SELECT COUNT(*) FROM lab_batch_decisions d JOIN lab_batches b ON b.id = d.batch_id WHERE b.station = $1) AS decisions,
         (SELECT COUNT(*) FROM lab_audit_events WHERE station = $1) AS "auditEvents"`,
      [station],
    );
    const lab = Object.fromEntries(
      Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)]),
    ) as unknown as ImportCounts;
    const differs = (Object.keys(local) as (keyof ImportCounts)[]).filter((k) => lab[k] !== local[k]);
    if (differs.length)
      throw new Error(
        `the lab's counts differ from the station's after copying (${differs.map((k) => `${k}: ${lab[k]} ≠ ${local[k]}`).join(', ')}): nothing committed`,
      );
    await client.query(
      `INSERT INTO lab_station_imports (station, batches, pages, attempts, decisions, audit_events)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [station, local.batches, local.pages, local.attempts, local.decisions, local.auditEvents],
    );
    // The lab now holds every change the station made: its batch mirror starts after them.
    await advanceLabMirrorMark(client, station, stationChangeSeq(db));
  });
}

/** The station's latest batch change number, or what it will be once its SQLite is migrated. */
export function stationChangeSeq(db: Db): number {
  const numbered = db.prepare("SELECT 1 FROM pragma_table_info('batches') WHERE name = 'change_seq'").get();
  // Pipeline migration 2 numbers a station's existing batches 1..N: N is their count.
  const sql = numbered ? 'SELECT MAX(change_seq) AS n FROM batches' : 'SELECT COUNT(*) AS n FROM batches';
  return (db.prepare(sql).get() as { n: number | null }).n ?? 0;
}
