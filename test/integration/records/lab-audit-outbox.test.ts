import { once } from 'node:events';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyLabChain } from '../../../electron/records/postgres/lab-audit-chain';
import { openLabPool } from '../../../electron/records/postgres/lab-database';
import { LabAuditOutbox } from '../../../electron/records/lab-audit-outbox';
import type { Station } from '../../../electron/station';
import { freshLabDatabase, postgresForSuite } from '../../helpers/lab-postgres';
import { withoutPostgres } from '../../helpers/postgres-server';
import { makeTestStation } from '../../helpers/station';

describe.skipIf(withoutPostgres())("a station's audit log carried into the lab's", () => {
  const server = postgresForSuite();
  beforeAll(async () => {
    await (await freshLabDatabase(server())).end();
  });

  const record = (station: Station, n: number, from: number) => {
    for (let i = from; i < from + n; i++)
      station.audit.record({
        type: 'capture',
        outcome: 'success',
        detail: `page ${i}`,
        object: `B1/masters/page-${String(i).padStart(4, '0')}.tif`,
        person: 'omar',
      });
  };

  it('keeps recording while the database is away and catches up when it returns, without loss or duplicates', async () => {
    const { station, dispose } = await makeTestStation();
    const pool: pg.Pool = openLabPool(server().url);
    const outbox = new LabAuditOutbox({
      station: 'st-a',
      audit: station.audit,
      pool,
      events: station.events,
      batchSize: 25,
      retry: { baseMs: 50, capMs: 400 },
    });
    try {
      outbox.start();
      record(station, 40, 1);
      await outbox.drained();
      expect(await verifyLabChain(pool)).toMatchObject({
        ok: true,
        checked: station.audit.since(0, 1e6).length,
      });

      await server().stop();
      record(station, 30, 41);
      if (outbox.state !== 'unreachable') await once(outbox, 'state');
      expect(outbox.state).toBe('unreachable');
      expect(station.audit.verify().ok).toBe(true);

      await server().start();
      await outbox.drained();
      const local = station.audit.since(0, 1e6);
      const lab = await pool.query('SELECT station_seq, hash FROM lab_audit_events ORDER BY lab_seq');
      expect(lab.rows.map((r) => [Number(r.station_seq), r.hash])).toEqual(local.map((e) => [e.seq, e.hash]));
      expect(await verifyLabChain(pool)).toMatchObject({ ok: true, checked: local.length, stations: 1 });
    } finally {
      await outbox.stop();
      await pool.end();
      await dispose();
    }
  }, 120_000);
});
