import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { AuditEvent } from '../../../shared/contract/index';
import { canonicalJson } from '../../audit/canonical';
import { eventHash, GENESIS_HASH } from '../../audit/chain';
import { inTransaction } from './lab-database';

/** Serialises appends to the lab chain: one writer at a time, whichever station it is. */
const APPEND_LOCK = 727_171_002;

/** The lab link: covers the station's event hash, where it sits in its station and the lab before it. */
export function labHash(link: {
  labSeq: number;
  station: string;
  stationSeq: number;
  stationHash: string;
  labPrevHash: string;
}): string {
  return createHash('sha256').update(canonicalJson(link)).digest('hex');
}

export class LabAuditConflict extends Error {
  override readonly name = 'LabAuditConflict';
}

/**
 * Appends a station's events (in its own chain order) to the lab chain, in one transaction
 * under an advisory lock, so concurrent stations never fork it. Re-sending events already in
 * the lab changes nothing (a retry after a lost reply); an event whose content differs from
 * the one the lab holds for that station and number is refused: that station's log diverged
 * (restored from an old backup, or altered) and a person must look.
 */
export async function appendStationEvents(
  pool: pg.Pool,
  station: string,
  events: readonly AuditEvent[],
): Promise<{ appended: number; alreadyThere: number }> {
  if (events.length === 0) return { appended: 0, alreadyThere: 0 };
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const known = await client.query<{ station_seq: string; hash: string }>(
      'SELECT station_seq, hash FROM lab_audit_events WHERE station = $1 AND station_seq = ANY($2::bigint[])',
      [station, events.map((e) => e.seq)],
    );
    const held = new Map(known.rows.map((r) => [Number(r.station_seq), r.hash]));
    for (const e of events) {
      const there = held.get(e.seq);
      if (there !== undefined && there !== e.hash)
        throw new LabAuditConflict(
          `${station}'s audit event ${e.seq} differs from the one the lab holds: the station's log diverged`,
        );
    }
    const fresh = events.filter((e) => !held.has(e.seq));
    if (fresh.length > 0) {
      const last = await client.query<{ max: string | null }>(
        'SELECT max(station_seq) AS max FROM lab_audit_events WHERE station = $1',
        [station],
      );
      const expected = Number(last.rows[0]?.max ?? 0) + 1;
      if (fresh[0]!.seq !== expected)
        throw new LabAuditConflict(
          `${station}'s audit event ${fresh[0]!.seq} would leave a gap: the lab holds up to ${expected - 1}`,
        );
      const head = await client.query<{ lab_seq: string; lab_hash: string }>(
        'SELECT lab_seq, lab_hash FROM lab_audit_head WHERE id = 1',
      );
      let labSeq = Number(head.rows[0]?.lab_seq ?? 0);
      let labPrev = head.rows[0]?.lab_hash ?? GENESIS_HASH;
      const rows = fresh.map((e, i) => {
        if (i > 0 && e.seq !== fresh[i - 1]!.seq + 1)
          throw new LabAuditConflict(`${station}'s audit events are not consecutive at ${e.seq}`);
        labSeq += 1;
        const hash = labHash({
          labSeq,
          station,
          stationSeq: e.seq,
          stationHash: e.hash,
          labPrevHash: labPrev,
        });
        const row = { e, labSeq, labPrev, hash };
        labPrev = hash;
        return row;
      });
      const column = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
      await client.query(
        `INSERT INTO lab_audit_events (lab_seq, station, station_seq, id, type, at, outcome, detail, object,
           agent_software, agent_station, agent_person, prev_hash, hash, lab_prev_hash, lab_hash)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
           $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
           $15::text[], $16::text[])`,
        [
          column((r) => r.labSeq),
          column(() => station),
          column((r) => r.e.seq),
          column((r) => r.e.id),
          column((r) => r.e.type),
          column((r) => r.e.at),
          column((r) => r.e.outcome),
          column((r) => r.e.detail),
          column((r) => r.e.object),
          column((r) => r.e.agents.software),
          column((r) => r.e.agents.station),
          column((r) => r.e.agents.person),
          column((r) => r.e.prevHash),
          column((r) => r.e.hash),
          column((r) => r.labPrev),
          column((r) => r.hash),
        ],
      );
      await client.query(
        `INSERT INTO lab_audit_head (id, lab_seq, lab_hash) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET lab_seq = excluded.lab_seq, lab_hash = excluded.lab_hash`,
        [labSeq, labPrev],
      );
    }
    return { appended: fresh.length, alreadyThere: events.length - fresh.length };
  });
}

/** How far a station's events have reached the lab (0: none yet). */
export async function labHeldUpTo(pool: pg.Pool, station: string): Promise<number> {
  const { rows } = await pool.query<{ max: string | null }>(
    'SELECT max(station_seq) AS max FROM lab_audit_events WHERE station = $1',
    [station],
  );
  return Number(rows[0]?.max ?? 0);
}

export interface LabChainVerification {
  ok: boolean;
  checked: number;
  stations: number;
  firstBrokenLabSeq: number | null;
  reason: string | null;
}

type Row = Record<string, string>;

const toEvent = (r: Row): AuditEvent => ({
  seq: Number(r.station_seq),
  id: r.id!,
  type: r.type as AuditEvent['type'],
  at: r.at!,
  outcome: r.outcome!,
  detail: r.detail!,
  object: r.object!,
  agents: { software: r.agent_software!, station: r.agent_station!, person: r.agent_person! },
  prevHash: r.prev_hash!,
  hash: r.hash!,
});

/**
 * Walks the whole lab chain, a page at a time: the lab links (no gap, each following the one
 * before, each hash matching), every station's own chain inside it (numbered from 1 without a
 * gap, each event following its station's previous one, each hash matching its content), and
 * the recorded head (a cut-off tail).
 */
export async function verifyLabChain(pool: pg.Pool, pageSize = 2000): Promise<LabChainVerification> {
  let checked = 0;
  let labPrev = GENESIS_HASH;
  const stations = new Map<string, { seq: number; hash: string }>();
  const broken = (labSeq: number, reason: string): LabChainVerification => ({
    ok: false,
    checked,
    stations: stations.size,
    firstBrokenLabSeq: labSeq,
    reason,
  });
  for (let after = 0; ;) {
    const { rows } = await pool.query<Row>(
      'SELECT * FROM lab_audit_events WHERE lab_seq > $1 ORDER BY lab_seq LIMIT $2',
      [after, pageSize],
    );
    for (const r of rows) {
      const labSeq = Number(r.lab_seq);
      if (labSeq !== checked + 1) return broken(checked + 1, `lab event ${checked + 1} is missing (deleted)`);
      if (r.lab_prev_hash !== labPrev)
        return broken(labSeq, `lab event ${labSeq} does not follow lab event ${labSeq - 1}`);
      const event = toEvent(r);
      const station = r.station!;
      if (
        labHash({ labSeq, station, stationSeq: event.seq, stationHash: event.hash, labPrevHash: labPrev }) !==
        r.lab_hash
      )
        return broken(labSeq, `lab event ${labSeq} was changed after it was written`);
      const { hash, ...body } = event;
      if (eventHash(body) !== hash)
        return broken(
          labSeq,
          `${station}'s event ${event.seq} (lab event ${labSeq}) was changed after it was written`,
        );
      const before = stations.get(station) ?? { seq: 0, hash: GENESIS_HASH };
      if (event.seq !== before.seq + 1 || event.prevHash !== before.hash)
        return broken(labSeq, `${station}'s event ${event.seq} does not follow its event ${before.seq}`);
      stations.set(station, { seq: event.seq, hash });
      labPrev = r.lab_hash!;
      checked += 1;
    }
    if (rows.length < pageSize) break;
    after = Number(rows.at(-1)!.lab_seq);
  }
  const head = await pool.query<{ lab_seq: string; lab_hash: string }>(
    'SELECT lab_seq, lab_hash FROM lab_audit_head WHERE id = 1',
  );
  const recorded = head.rows[0];
  if (recorded && (Number(recorded.lab_seq) !== checked || recorded.lab_hash !== labPrev))
    return Number(recorded.lab_seq) > checked
      ? broken(checked + 1, `the lab log ends at ${checked}, but ${recorded.lab_seq} was written (truncated)`)
      : broken(Number(recorded.lab_seq), `the recorded head does not match the lab log's last event`);
  if (!recorded && checked > 0) return broken(1, 'the lab log has events but no recorded head');
  return { ok: true, checked, stations: stations.size, firstBrokenLabSeq: null, reason: null };
}
