import type pg from 'pg';
import type { BatchSnapshot } from '../batch-snapshot';
import { searchText } from './batch-rows';
import { inTransaction } from './lab-database';

/** Announced with a batch's id whenever the mirror changes it: consoles re-read that batch. */
export const LAB_BATCHES_CHANNEL = 'quire_lab_batches';

export interface MirrorResult {
  /** Batches the lab now holds as sent. */
  changed: string[];
  /** Batches the lab already held at this change or a later one: a repeated or late push. */
  unchanged: string[];
  /** Batch ids the lab holds for another station: never overwritten, for a person to look at. */
  conflicts: { id: string; station: string }[];
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * Puts a station's batch snapshots into the lab, in one transaction: each batch row is written
 * only when the lab holds none of that id or an older change of the same station's, and then
 * its pages, attempts and decisions become the snapshot's. A batch id that belongs to another
 * station is left as it is and reported. Every changed batch is announced on
 * LAB_BATCHES_CHANNEL at commit, and the station's mark moves up to `upToSeq` (never down), so
 * that the next push starts after it. The stage counts follow through lab_batches' trigger.
 */
export async function mirrorBatchSnapshots(
  pool: pg.Pool,
  station: string,
  snapshots: readonly BatchSnapshot[],
  upToSeq: number,
): Promise<MirrorResult> {
  return inTransaction(pool, async (client) => {
    // One snapshot per batch (the latest), in one order for every writer, so that two pushes
    // touching the same batches cannot deadlock.
    const latest = new Map<string, BatchSnapshot>();
    for (const s of snapshots) {
      const seen = latest.get(s.summary.id);
      if (!seen || seen.changeSeq < s.changeSeq) latest.set(s.summary.id, s);
    }
    const ordered = [...latest.values()].sort((a, b) => (a.summary.id < b.summary.id ? -1 : 1));
    const changed = ordered.length ? await upsertBatches(client, station, ordered) : [];
    const written = new Set(changed);
    const others = ordered.map((s) => s.summary.id).filter((id) => !written.has(id));
    const conflicts = others.length
      ? (
          await client.query<{ id: string; station: string }>(
            'SELECT id, station FROM lab_batches WHERE id = ANY($1::text[]) AND station <> $2 ORDER BY id',
            [others, station],
          )
        ).rows
      : [];
    const taken = new Set(conflicts.map((c) => c.id));
    if (changed.length) {
      await replaceChildren(
        client,
        changed,
        ordered.filter((s) => written.has(s.summary.id)),
      );
      await client.query('SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id', [
        LAB_BATCHES_CHANNEL,
        changed,
      ]);
    }
    await advanceLabMirrorMark(client, station, upToSeq);
    return { changed, unchanged: others.filter((id) => !taken.has(id)), conflicts };
  });
}

/** How far a station's batch changes have reached the lab (0: none yet). */
export async function labMirrorMark(pool: Queryable, station: string): Promise<number> {
  const { rows } = await pool.query<{ change_seq: string }>(
    'SELECT change_seq FROM lab_batch_mirror_marks WHERE station = $1',
    [station],
  );
  return Number(rows[0]?.change_seq ?? 0);
}

/** Moves a station's mark up to `seq`; a lower one (a late push) leaves it where it is. */
export async function advanceLabMirrorMark(client: Queryable, station: string, seq: number): Promise<void> {
  await client.query(
    `INSERT INTO lab_batch_mirror_marks (station, change_seq) VALUES ($1, $2)
     ON CONFLICT (station) DO UPDATE
       SET change_seq = GREATEST(lab_batch_mirror_marks.change_seq, excluded.change_seq), updated_at = now()`,
    [station, seq],
  );
}

async function upsertBatches(
  client: Queryable,
  station: string,
  snapshots: readonly BatchSnapshot[],
): Promise<string[]> {
  const rows = snapshots.map((s) => ({
    id: s.summary.id,
    device: s.summary.device,
    title: s.summary.title,
    accession_numbers: s.summary.accessionNumbers,
    search_text: searchText(s.summary.id, s.summary.accessionNumbers),
    operator: s.summary.operator,
    manifest: s.manifest,
    manifest_sha256: s.manifestSha256,
    stage: s.summary.stage,
    pages_expected: s.summary.pagesExpected,
    pages_done: s.summary.pagesDone,
    page_extent: s.pageExtent,
    attempts: s.summary.attempts,
    last_error: s.summary.lastError,
    package_path: s.packagePath,
    quarantine: s.quarantine,
    quarantined_at: s.quarantinedAt,
    created_at: s.summary.createdAt,
    updated_at: s.summary.updatedAt,
    change_seq: s.changeSeq,
  }));
  // Written only over nothing, or over an older change of the same station's batch.
  const { rows: written } = await client.query<{ id: string }>(
    `INSERT INTO lab_batches AS b (id, station, device, title, accession_numbers, search_text, operator,
       manifest, manifest_sha256, stage, pages_expected, pages_done, page_extent, attempts, last_error,
       package_path, quarantine, quarantined_at, created_at, updated_at, station_change_seq)
     SELECT r.id, $2, r.device, r.title, r.accession_numbers, r.search_text, r.operator, r.manifest,
       r.manifest_sha256, r.stage, r.pages_expected, r.pages_done, r.page_extent, r.attempts, r.last_error,
       r.package_path, nullif(r.quarantine, 'null'::jsonb), r.quarantined_at::timestamptz, r.created_at::timestamptz,
       r.updated_at::timestamptz, r.change_seq
     FROM jsonb_to_recordset($1::jsonb) AS r(id text, device text, title text, accession_numbers jsonb,
       search_text text, operator text, manifest jsonb, manifest_sha256 text, stage text, pages_expected int,
       pages_done int, page_extent int, attempts int, last_error text, package_path text, quarantine jsonb,
       quarantined_at text, created_at text, updated_at text, change_seq bigint)
     ORDER BY r.id
     ON CONFLICT (id) DO UPDATE SET device = excluded.device, title = excluded.title,
       accession_numbers = excluded.accession_numbers, search_text = excluded.search_text,
       operator = excluded.operator, manifest = excluded.manifest, manifest_sha256 = excluded.manifest_sha256,
       stage = excluded.stage, pages_expected = excluded.pages_expected, pages_done = excluded.pages_done,
       page_extent = excluded.page_extent, attempts = excluded.attempts, last_error = excluded.last_error,
       package_path = excluded.package_path,
       quarantine = excluded.quarantine, quarantined_at = excluded.quarantined_at,
       created_at = excluded.created_at, updated_at = excluded.updated_at,
       station_change_seq = excluded.station_change_seq
     WHERE b.station = excluded.station AND b.station_change_seq < excluded.station_change_seq
     RETURNING b.id`,
    [JSON.stringify(rows), station],
  );
  return written.map((r) => r.id).sort();
}

/**
 * The pages, attempts and decisions of the written batches become the snapshots'. Pages are
 * compared rather than rewritten (a batch of thousands of pages changes a few at a time);
 * attempts and decisions, a handful per batch, are replaced in the station's order.
 */
async function replaceChildren(
  client: Queryable,
  ids: string[],
  snapshots: readonly BatchSnapshot[],
): Promise<void> {
  const pages = JSON.stringify(
    snapshots.flatMap((s) =>
      s.pages.map((p) => ({
        batch_id: s.summary.id,
        page: p.page,
        bytes: p.bytes,
        sha256: p.sha256,
        master_path: p.masterPath,
        width: p.width,
        height: p.height,
        metadata: p.metadata ?? null,
        access_path: p.accessPath,
        thumbnail_path: p.thumbnailPath,
        sidecar_path: p.sidecarPath,
        captured_at: p.capturedAt,
      })),
    ),
  );
  const pageColumns = `r(batch_id text, page int, bytes bigint, sha256 text, master_path text, width int,
    height int, metadata jsonb, access_path text, thumbnail_path text, sidecar_path text, captured_at text)`;
  await client.query(
    `DELETE FROM lab_batch_pages p WHERE p.batch_id = ANY($1::text[]) AND NOT EXISTS (
       SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS r(batch_id text, page int)
       WHERE r.batch_id = p.batch_id AND r.page = p.page)`,
    [ids, pages],
  );
  await client.query(
    `INSERT INTO lab_batch_pages AS p (batch_id, page, bytes, sha256, master_path, width, height, metadata,
       access_path, thumbnail_path, sidecar_path, captured_at)
     SELECT r.batch_id, r.page, r.bytes, r.sha256, r.master_path, r.width, r.height,
       nullif(r.metadata, 'null'::jsonb), r.access_path, r.thumbnail_path, r.sidecar_path, r.captured_at::timestamptz
     FROM jsonb_to_recordset($1::jsonb) AS ${pageColumns}
     ORDER BY r.batch_id, r.page
     ON CONFLICT (batch_id, page) DO UPDATE SET bytes = excluded.bytes, sha256 = excluded.sha256,
       master_path = excluded.master_path, width = excluded.width, height = excluded.height,
       metadata = excluded.metadata, access_path = excluded.access_path,
       thumbnail_path = excluded.thumbnail_path, sidecar_path = excluded.sidecar_path,
       captured_at = excluded.captured_at
     WHERE (p.bytes, p.sha256, p.master_path, p.width, p.height, p.metadata, p.access_path,
         p.thumbnail_path, p.sidecar_path, p.captured_at)
       IS DISTINCT FROM (excluded.bytes, excluded.sha256, excluded.master_path, excluded.width,
         excluded.height, excluded.metadata, excluded.access_path, excluded.thumbnail_path,
         excluded.sidecar_path, excluded.captured_at)`,
    [pages],
  );
  await client.query('DELETE FROM lab_batch_attempts WHERE batch_id = ANY($1::text[])', [ids]);
  await client.query(
    `INSERT INTO lab_batch_attempts (batch_id, stage, attempt, started_at, finished_at, outcome, error, worker)
     SELECT r.batch_id, r.stage, r.attempt, r.started_at::timestamptz, r.finished_at::timestamptz, r.outcome,
       r.error, r.worker
     FROM jsonb_to_recordset($1::jsonb) AS r(batch_id text, local_id bigint, stage text, attempt int,
       started_at text, finished_at text, outcome text, error text, worker text)
     ORDER BY r.batch_id, r.local_id`,
    [
      JSON.stringify(
        snapshots.flatMap((s) =>
          s.attempts.map((a) => ({
            batch_id: s.summary.id,
            local_id: a.id,
            stage: a.stage,
            attempt: a.attempt,
            started_at: a.startedAt,
            finished_at: a.finishedAt,
            outcome: a.outcome,
            error: a.error,
            worker: a.worker,
          })),
        ),
      ),
    ],
  );
  await client.query('DELETE FROM lab_batch_decisions WHERE batch_id = ANY($1::text[])', [ids]);
  await client.query(
    `INSERT INTO lab_batch_decisions (batch_id, decision, decided_by, decided_at, reason, note, pages)
     SELECT r.batch_id, r.decision, r.decided_by, r.decided_at::timestamptz, r.reason, r.note,
       nullif(r.pages, 'null'::jsonb)
     FROM jsonb_to_recordset($1::jsonb) AS r(batch_id text, local_id bigint, decision text, decided_by text,
       decided_at text, reason text, note text, pages jsonb)
     ORDER BY r.batch_id, r.local_id`,
    [
      JSON.stringify(
        snapshots.flatMap((s) =>
          s.decisions.map((d) => ({
            batch_id: s.summary.id,
            local_id: d.id,
            decision: d.decision,
            decided_by: d.by,
            decided_at: d.decidedAt,
            reason: d.reason,
            note: d.note,
            pages: d.pages,
          })),
        ),
      ),
    ],
  );
}
