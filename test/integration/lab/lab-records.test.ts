// Two stations of one lab on a real Redis and a real PostgreSQL, in this process: every
// console sees every batch with its station; a batch quarantined at station A is decided by a
// supervisor at station B, applied once by A (which holds it) and recaptured on A's scanner;
// with the lab database away, A keeps capturing and B's decisions on A's batches wait.
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabState, SessionUser } from '../../../shared/contract/index';
import { StationError } from '../../../electron/core/station-error';
import type { Station } from '../../../electron/station';
import { exampleManifest } from '../../helpers/manifest';
import { postgresUnavailableReason, startPostgres, type PostgresServer } from '../../helpers/postgres-server';
import { redisServerBinary, startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { makeTestStation, untilBatch } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';

const redisBinary = redisServerBinary();
const why = redisBinary.path === null ? redisBinary.reason : postgresUnavailableReason();
if (why) console.warn(`[lab records] skipped: ${why}`);

const SUPERVISOR_AT_B: SessionUser = {
  id: 'sv',
  username: 'sofia',
  displayName: 'Sofia',
  role: 'supervisor',
};

/** Resolves when the station announces a lab state that passes the test. */
function untilLab(station: Station, wanted: (state: LabState) => boolean): Promise<LabState> {
  return new Promise((resolve) => {
    const now = station.labState();
    if (now && wanted(now)) return resolve(now);
    const unsubscribe = station.events.subscribe((event) => {
      if (event.name === 'lab.changed' && wanted(event.payload)) {
        unsubscribe();
        resolve(event.payload);
      }
    });
  });
}

describe.skipIf(why !== null)('one lab: two stations sharing their records on PostgreSQL', () => {
  let redis: RedisServer;
  let pg: PostgresServer;
  const dir = makeTempDir('quire-lab-records-');
  const stations: { station: Station; dispose: () => Promise<void> }[] = [];
  let a: Station;
  let b: Station;

  beforeAll(async () => {
    redis = await startRedisServer();
    pg = await startPostgres();
    const storage = path.join(dir.path, 'share');
    mkdirSync(storage);
    const open = async (name: string, simulators: number) => {
      const made = await makeTestStation({
        runWorkers: true,
        simulators,
        lab: { redis: redis.url, station: name, storage },
        labDatabase: pg.url,
      });
      stations.push(made);
      return made.station;
    };
    a = await open('desk-a', 1);
    b = await open('desk-b', 0);
    await untilLab(a, (s) => s.database?.state === 'connected');
    await untilLab(b, (s) => s.database?.state === 'connected');
  }, 120_000);

  afterAll(async () => {
    for (const s of stations.reverse()) await s.dispose().catch(() => {});
    await pg?.dispose();
    await redis?.stop();
    dir.cleanup();
  });

  it('a batch quarantined at A is released at B: decided once, by A, recaptured on its scanner', async () => {
    a.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 2 });
    const seenAtB = untilBatch(b, 'LABR-1', 'quarantined');
    await a.pipeline.create(exampleManifest({ batch_id: 'LABR-1', device: 'sim-1' }), null);
    await untilBatch(a, 'LABR-1', 'quarantined');
    a.devices.injectFault('sim-1', { kind: 'clear' });

    // B hears of it (LISTEN/NOTIFY), lists it with its station, and finds it in the quarantine.
    expect((await seenAtB).station).toBe('desk-a');
    const list = await b.pipeline.records.list({ offset: 0, limit: 50 });
    expect(list.items.find((i) => i.id === 'LABR-1')).toMatchObject({ station: 'desk-a', device: 'sim-1' });
    expect((await b.pipeline.records.quarantined()).map((q) => q.id)).toContain('LABR-1');
    const remote = await b.pipeline.records.detail('LABR-1');
    expect(remote?.quarantine?.checksumMismatches.map((m) => m.page)).toEqual([2]);

    // A supervisor at B requeues page 2; A applies it and the batch finishes on A's scanner.
    const completedAtA = untilBatch(a, 'LABR-1', 'completed');
    const completedAtB = untilBatch(b, 'LABR-1', 'completed');
    const answer = await b.pipeline.decide(SUPERVISOR_AT_B, {
      batchId: 'LABR-1',
      decision: 'requeue',
      pages: [2],
      reason: a.settings.get().quarantineReasons[0]!,
      note: 'decided at desk-b',
    });
    expect(answer.stage).not.toBe('quarantined');
    await completedAtA;
    expect((await completedAtB).station).toBe('desk-a');

    // Recorded once, by the station that holds the batch, naming the supervisor at B.
    const detail = a.pipeline.store.detail('LABR-1')!;
    expect(detail.decisions.map((d) => [d.decision, d.by, d.note])).toEqual([
      ['requeue', 'sofia', 'decided at desk-b'],
    ]);
    const unquarantined = a.audit
      .since(0, 100_000)
      .filter((e) => e.object === 'LABR-1' && e.type === 'unquarantine');
    expect(unquarantined).toHaveLength(1);
    expect(b.pipeline.store.summary('LABR-1')).toBeNull();
    expect((await a.pipeline.verify()).ok).toBe(true);
    const atB = await b.pipeline.records.detail('LABR-1');
    expect(atB?.decisions).toHaveLength(1);
    expect(atB?.pages.map((p) => p.page)).toEqual([1, 2, 3, 4]);

    // A decision on a batch that is no longer quarantined is refused, with A's reason.
    await expect(
      b.pipeline.decide(SUPERVISOR_AT_B, {
        batchId: 'LABR-1',
        decision: 'release',
        reason: a.settings.get().quarantineReasons[0]!,
        note: '',
      }),
    ).rejects.toThrow(/completed, not quarantined/);
  }, 120_000);

  it("shows A's page images at B, and at a station that mounts the lab's storage elsewhere", async () => {
    // LABR-1, completed by the test before: A's records name its files on A's mount.
    const own = await a.pipeline.thumbnail('LABR-1', 1, 'thumb');
    expect(own).toMatch(/^data:image\/jpeg;base64,/);
    expect(await b.pipeline.thumbnail('LABR-1', 1, 'thumb')).toBe(own);
    expect(await b.pipeline.thumbnail('LABR-1', 2, 'access')).toBe(
      await a.pipeline.thumbnail('LABR-1', 2, 'access'),
    );
    // The same share under another path (another mount point, another drive letter).
    const elsewhere = path.join(dir.path, 'share-mounted-elsewhere');
    symlinkSync(path.join(dir.path, 'share'), elsewhere);
    const c = await makeTestStation({
      lab: { redis: redis.url, station: 'desk-c', storage: elsewhere },
      labDatabase: pg.url,
    });
    stations.push(c);
    expect(await c.station.pipeline.thumbnail('LABR-1', 1, 'thumb')).toBe(own);
    // A page the batch does not have, and a batch nobody has, show nothing.
    expect(await c.station.pipeline.thumbnail('LABR-1', 99, 'thumb')).toBeNull();
    expect(await c.station.pipeline.thumbnail('NO-SUCH-BATCH', 1, 'thumb')).toBeNull();
  }, 120_000);

  it("with the lab database away, A keeps capturing, B cannot decide on A's batches, and all arrives once it is back", async () => {
    await pg.stop();
    // The links find the database gone when they next have something to send.
    const unreachable = untilLab(a, (s) => s.database?.state === 'unreachable');
    a.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 3 });
    await a.pipeline.create(exampleManifest({ batch_id: 'LABR-2', device: 'sim-1' }), null);
    await untilBatch(a, 'LABR-2', 'quarantined');
    expect((await unreachable).database?.detail).toMatch(/unreachable/);
    a.devices.injectFault('sim-1', { kind: 'clear' });
    const refused = await b.pipeline
      .decide(SUPERVISOR_AT_B, {
        batchId: 'LABR-2',
        decision: 'release',
        reason: a.settings.get().quarantineReasons[0]!,
        note: '',
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StationError);
    expect((refused as StationError).code).toBe('UNAVAILABLE');
    expect((refused as Error).message).toMatch(/lab database is unreachable/);
    // A's console still lists A's own batches.
    expect((await a.pipeline.records.list({ offset: 0, limit: 50 })).items.map((i) => i.id)).toContain(
      'LABR-2',
    );

    const seenAtB = untilBatch(b, 'LABR-2', 'quarantined');
    await pg.start();
    await untilLab(a, (s) => s.database?.state === 'connected');
    expect((await seenAtB).station).toBe('desk-a');
    const atB = await b.pipeline.records.detail('LABR-2');
    expect(atB?.pages.map((p) => p.page)).toEqual([1, 2, 4]);
    expect(a.labState()?.database?.state).toBe('connected');
  }, 120_000);
});
