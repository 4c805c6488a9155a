import type pg from 'pg';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../shared/contract/index';
import { eventHash, GENESIS_HASH } from '../../../electron/audit/chain';
import {
  appendStationEvents,
  LabAuditConflict,
  verifyLabChain,
} from '../../../electron/records/postgres/lab-audit-chain';
import {
  LAB_MIGRATIONS,
  LabSchemaError,
  migrateLab,
  type LabMigration,
} from '../../../electron/records/postgres/lab-migrations';
import { runCli } from '../../helpers/cli';
import { freshLabDatabase, postgresForSuite } from '../../helpers/lab-postgres';
import { withoutPostgres } from '../../helpers/postgres-server';

/** A station's own chain of n events, hashed as the station's audit module hashes them. */
function stationChain(station: string, n: number, from = 1, prev = GENESIS_HASH): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let seq = from; seq < from + n; seq++) {
    const body = {
      seq,
      id: `${station}-${seq}`,
      type: 'capture' as const,
      at: new Date(Date.UTC(2026, 11, 1, 8, 0, seq)).toISOString(),
      outcome: 'success',
      detail: `page ${seq} on ${station}`,
      object: `B-${station}/masters/page-${String(seq).padStart(4, '0')}.tif`,
      agents: { software: 'Quire test', station, person: 'omar' },
      prevHash: prev,
    };
    const hash = eventHash(body);
    events.push({ ...body, hash });
    prev = hash;
  }
  return events;
}

describe.skipIf(withoutPostgres())('the lab database on a real PostgreSQL', () => {
  const server = postgresForSuite();
  let pool: pg.Pool;
  afterAll(async () => {
    await pool?.end();
  });
  beforeEach(async () => {
    await pool?.end();
    pool = await freshLabDatabase(server(), { max: 20, migrate: false });
  });

  describe('migrations', () => {
    it('1 (stations) creates the stations table', async () => {
      await migrateLab(pool, LAB_MIGRATIONS.slice(0, 1));
      await pool.query("INSERT INTO lab_stations (name, software) VALUES ('st-a', 'Quire')");
      expect((await pool.query('SELECT name FROM lab_stations')).rows).toEqual([{ name: 'st-a' }]);
    });

    it('2 (audit chain) creates the chained events with one row per station event', async () => {
      await migrateLab(pool);
      await appendStationEvents(pool, 'st-a', stationChain('st-a', 1));
      await expect(
        pool.query(
          `INSERT INTO lab_audit_events SELECT lab_seq + 1, station, station_seq, id, type, at, outcome, detail,
             object, agent_software, agent_station, agent_person, prev_hash, hash, lab_prev_hash, lab_hash
           FROM lab_audit_events`,
        ),
      ).rejects.toThrow(/unique/i);
    });

    it('3 (batches) keeps per-stage counts right under concurrent moves in both directions', async () => {
      await migrateLab(pool, LAB_MIGRATIONS.slice(0, 3));
      const insert = (id: string, stage: string) =>
        pool.query(
          `INSERT INTO lab_batches (id, station, device, title, accession_numbers, search_text, operator,
             manifest, manifest_sha256, stage, created_at, updated_at)
           VALUES ($1, 'st-a', 'sim-1', 't', '[]', $1, 'omar', '{}', 'x', $2, now(), now())`,
          [id, stage],
        );
      for (let i = 0; i < 40; i++) await insert(`B${i}`, i % 2 ? 'qc' : 'derivatives');
      // Each batch moves qc ⇄ derivatives many times, half of them one way while the other half
      // go the other: the trigger's ordered updates must neither deadlock nor lose a count.
      await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          for (let k = 0; k < 10; k++)
            await pool.query(
              `UPDATE lab_batches SET stage = CASE stage WHEN 'qc' THEN 'derivatives' ELSE 'qc' END WHERE id = $1`,
              [`B${i}`],
            );
        }),
      );
      await pool.query("DELETE FROM lab_batches WHERE id IN ('B0', 'B1')");
      const counted = await pool.query(
        'SELECT stage, n::int AS n FROM lab_batch_stage_counts ORDER BY stage',
      );
      const actual = await pool.query(
        'SELECT stage, count(*)::int AS n FROM lab_batches GROUP BY stage ORDER BY stage',
      );
      expect(counted.rows).toEqual(actual.rows);
      expect(actual.rows).toEqual([
        { stage: 'derivatives', n: 19 },
        { stage: 'qc', n: 19 },
      ]);
    });

    it('4 (station imports) records one import per station', async () => {
      await migrateLab(pool, LAB_MIGRATIONS.slice(0, 4));
      const record = () =>
        pool.query(
          `INSERT INTO lab_station_imports (station, batches, pages, attempts, decisions, audit_events)
           VALUES ('st-a', 1, 2, 3, 4, 5)`,
        );
      await record();
      await expect(record()).rejects.toThrow(/duplicate key/);
    });

    it('5 (accounts and sessions) keeps one account per username and sessions only of known accounts', async () => {
      await migrateLab(pool, LAB_MIGRATIONS.slice(0, 5));
      const account = `INSERT INTO lab_accounts (id, username, display_name, role, password_hash, created_at)
        VALUES ($1, 'otto', 'Otto', 'operator', 'h', now())`;
      await pool.query(account, ['u1']);
      await expect(pool.query(account, ['u2'])).rejects.toThrow(/unique/i);
      await expect(
        pool.query(`INSERT INTO lab_accounts (id, username, display_name, role, password_hash, created_at)
          VALUES ('u3', 'eve', 'Eve', 'admin', 'h', now())`),
      ).rejects.toThrow(/check/i);
      const session = `INSERT INTO lab_sessions (id, account_id, station, started_at) VALUES ($1, $2, 'st-a', now())`;
      await pool.query(session, ['s1', 'u1']);
      await expect(pool.query(session, ['s2', 'nobody'])).rejects.toThrow(/foreign key/i);
    });

    it('are applied once when stations start together, under an advisory lock', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, () => migrateLab(pool)));
      const applied = results.flatMap((r) => r.applied).sort();
      expect(applied).toEqual(LAB_MIGRATIONS.map((m) => m.version));
      const { rows } = await pool.query('SELECT version FROM lab_schema_version ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(LAB_MIGRATIONS.map((m) => m.version));
      expect((await migrateLab(pool)).applied).toEqual([]);
    });

    it('refuse an edited migration and a database newer than this Quire', async () => {
      await migrateLab(pool);
      const edited: LabMigration[] = LAB_MIGRATIONS.map((m) =>
        m.version === 1 ? { ...m, sql: `${m.sql} -- edited` } : m,
      );
      await expect(migrateLab(pool, edited)).rejects.toThrow(/migration 1 \(stations\) differs/);
      await expect(migrateLab(pool, LAB_MIGRATIONS.slice(0, 1))).rejects.toBeInstanceOf(LabSchemaError);
      await expect(migrateLab(pool, LAB_MIGRATIONS.slice(0, 1))).rejects.toThrow(/newer than this Quire/);
    });
  });

  describe('the audit chain with many writers', () => {
    beforeEach(async () => {
      await migrateLab(pool);
    });

    it('three stations appending at once make one chain without forks, and verify finds every kind of tampering', async () => {
      const chains = ['st-a', 'st-b', 'st-c'].map((s) => stationChain(s, 300));
      await Promise.all(
        chains.map(async (chain) => {
          for (let i = 0; i < chain.length; i += 7)
            await appendStationEvents(pool, chain[0]!.agents.station, chain.slice(i, i + 7));
        }),
      );
      expect(await verifyLabChain(pool, 100)).toEqual({
        ok: true,
        checked: 900,
        stations: 3,
        firstBrokenLabSeq: null,
        reason: null,
      });
      const seqs = (await pool.query('SELECT lab_seq FROM lab_audit_events ORDER BY lab_seq')).rows;
      expect(seqs.map((r) => Number(r.lab_seq))).toEqual(Array.from({ length: 900 }, (_, i) => i + 1));

      await pool.query("UPDATE lab_audit_events SET detail = 'page 9 (edited)' WHERE lab_seq = 500");
      expect(await verifyLabChain(pool)).toMatchObject({ ok: false, firstBrokenLabSeq: 500 });
      await pool.query('DELETE FROM lab_audit_events WHERE lab_seq = 500');
      expect(await verifyLabChain(pool)).toMatchObject({
        ok: false,
        firstBrokenLabSeq: 500,
        reason: 'lab event 500 is missing (deleted)',
      });
    });

    it('finds a cut-off tail', async () => {
      await appendStationEvents(pool, 'st-a', stationChain('st-a', 20));
      await pool.query('DELETE FROM lab_audit_events WHERE lab_seq > 18');
      expect(await verifyLabChain(pool)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('truncated'),
      });
    });

    it('a re-sent batch adds nothing; a diverged or gapped station log is refused and changes nothing', async () => {
      const chain = stationChain('st-a', 10);
      expect(await appendStationEvents(pool, 'st-a', chain.slice(0, 6))).toEqual({
        appended: 6,
        alreadyThere: 0,
      });
      expect(await appendStationEvents(pool, 'st-a', chain.slice(3, 10))).toEqual({
        appended: 4,
        alreadyThere: 3,
      });
      const other = stationChain('st-a', 3, 9, chain[7]!.hash).map((e) => ({
        ...e,
        detail: 'restored backup',
      }));
      const rehashed = other.map((e) => {
        const { hash, ...body } = e;
        void hash;
        return { ...body, hash: eventHash(body) };
      });
      await expect(appendStationEvents(pool, 'st-a', rehashed)).rejects.toBeInstanceOf(LabAuditConflict);
      await expect(appendStationEvents(pool, 'st-a', stationChain('st-a', 2, 12))).rejects.toThrow(/gap/);
      expect((await pool.query('SELECT count(*)::int AS n FROM lab_audit_events')).rows[0].n).toBe(10);
      expect(await verifyLabChain(pool)).toMatchObject({ ok: true, checked: 10, stations: 1 });
    });
  });

  describe('the CLI', () => {
    it('quire lab migrate applies what is missing; quire audit verify --lab-db checks the whole lab', async () => {
      const first = await runCli(['lab', 'migrate', '--lab-db', server().url]).done;
      expect(first.code, first.stdout + first.stderr).toBe(0);
      const versions = LAB_MIGRATIONS.map((m) => m.version);
      expect(first.json).toEqual({ applied: versions, version: versions.length });
      expect((await runCli(['lab', 'migrate'], { QUIRE_LAB_DATABASE: server().url }).done).json).toEqual({
        applied: [],
        version: versions.length,
      });
      await appendStationEvents(pool, 'st-a', stationChain('st-a', 5));
      await appendStationEvents(pool, 'st-b', stationChain('st-b', 5));
      const ok = await runCli(['audit', 'verify', '--lab-db', server().url]).done;
      expect(ok.code).toBe(0);
      expect(ok.json).toMatchObject({ ok: true, checked: 10, stations: 2 });
      await pool.query("UPDATE lab_audit_events SET agent_person = 'mallory' WHERE lab_seq = 7");
      const broken = await runCli(['audit', 'verify', '--lab-db', server().url]).done;
      expect(broken.code).toBe(1);
      expect(broken.json).toMatchObject({ error: { code: 'CHAIN_BROKEN' }, firstBrokenLabSeq: 7 });
    }, 90_000);

    it('says plainly when the lab database does not answer or the URL is wrong', async () => {
      const down = await runCli(['lab', 'migrate', '--lab-db', 'postgres://postgres@127.0.0.1:1/quire_lab'])
        .done;
      expect(down.code).toBe(1);
      expect(down.json).toMatchObject({
        error: {
          code: 'LAB_DATABASE_UNREACHABLE',
          message: expect.stringContaining('127.0.0.1:1 did not answer'),
        },
      });
      const wrong = await runCli(['lab', 'migrate', '--lab-db', 'redis://127.0.0.1:6379']).done;
      expect(wrong.code).toBe(2);
      expect(wrong.json).toMatchObject({
        error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('postgres://') },
      });
    }, 90_000);
  });
});
