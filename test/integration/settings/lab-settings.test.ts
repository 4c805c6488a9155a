import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StationSettings } from '../../../shared/contract/index';
import { silentLogger } from '../../../electron/core/logger';
import { createStation, type Station } from '../../../electron/station';
import { freshLabDatabase, postgresForSuite } from '../../helpers/lab-postgres';
import { withoutPostgres } from '../../helpers/postgres-server';
import { TEST_PASSWORD_HASH_PARAMS } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';

const FOLIO = { dpi: 600, mode: 'color', bit_depth: 16, colour_profile: 'eciRGB v2' } as const;

/** Resolves with the first `settings.changed` of the station that matches; awaits, never polls. */
function settingsChanged(station: Station, match: (s: StationSettings) => boolean): Promise<StationSettings> {
  return new Promise((resolve) => {
    const unsubscribe = station.events.subscribe((event) => {
      if (event.name !== 'settings.changed' || !match(event.payload)) return;
      unsubscribe();
      resolve(event.payload);
    });
  });
}

const profileNames = (settings: StationSettings) => settings.scanProfiles.map((p) => p.name);

/**
 * Two station cores on one lab database: lab-wide settings and scan profiles are shared and
 * follow each other through LISTEN/NOTIFY, each station keeps its own name, training mode and
 * disk warning, and while the database is away only the station's own settings change.
 */
describe.skipIf(withoutPostgres())('settings shared by the lab on PostgreSQL', () => {
  const server = postgresForSuite();
  const opened: Station[] = [];
  const folders: Array<() => void> = [];

  /** A station's data folder, kept across its restarts within a test. */
  const folder = () => {
    const dir = makeTempDir('quire-lab-settings-');
    folders.push(dir.cleanup);
    return dir.path;
  };
  /** A station core on the folder, in the lab (its database only, no Redis) or alone. */
  const open = async (dataDir: string, inLab = true) => {
    const station = await createStation({
      dataDir,
      logger: silentLogger(),
      passwordHashParams: TEST_PASSWORD_HASH_PARAMS,
      lab: null,
      labDatabase: inLab ? server().url : null,
    });
    opened.push(station);
    return station;
  };
  const close = async (station: Station) => {
    opened.splice(opened.indexOf(station), 1);
    await station.close();
  };

  beforeEach(async () => {
    await server().start();
    const pool = await freshLabDatabase(server(), { migrate: false });
    await pool.end();
  }, 60_000);
  afterEach(async () => {
    for (const station of opened.splice(0)) await station.close();
    for (const cleanup of folders.splice(0)) cleanup();
  }, 60_000);

  it("seeds the lab from the first station; a later one adopts the lab's, keeping its own for when it leaves", async () => {
    const folderA = folder();
    const folderB = folder();
    // B ran alone before the lab, with its own organization and a profile of its own.
    const alone = await open(folderB, false);
    await alone.settings.update({ organizationName: 'B before the lab', stationName: 'Station B' });
    await alone.settings.saveScanProfile({ name: 'Only at B', profile: FOLIO });
    await close(alone);

    const a = await open(folderA);
    await a.settings.update({ organizationName: 'Archive of the Marches', stationName: 'Station A' });
    const b = await open(folderB);
    expect(b.settings.get()).toMatchObject({
      organizationName: 'Archive of the Marches',
      stationName: 'Station B',
    });
    expect(profileNames(b.settings.get())).not.toContain('Only at B');

    // Leaving the lab, B has its own values back: joining wrote nothing over them.
    await close(b);
    const again = await open(folderB, false);
    expect(again.settings.get()).toMatchObject({ organizationName: 'B before the lab' });
    expect(profileNames(again.settings.get())).toContain('Only at B');
  });

  it('a scan profile saved at A reaches B as settings.changed; per-station fields stay where they were set', async () => {
    const a = await open(folder());
    const b = await open(folder());
    await a.settings.update({ stationName: 'Station A' });
    await b.settings.update({ stationName: 'Station B' });

    const atB = settingsChanged(b, (s) => profileNames(s).includes('Folio maps'));
    await a.settings.saveScanProfile({ name: 'Folio maps', profile: FOLIO });
    expect((await atB).scanProfiles.at(-1)).toEqual({ name: 'Folio maps', profile: FOLIO });
    // The name is taken lab-wide, in any letter case, whichever station asks.
    await expect(b.settings.saveScanProfile({ name: 'FOLIO MAPS', profile: FOLIO })).rejects.toMatchObject({
      code: 'CONFLICT',
    });

    await a.settings.update({ trainingMode: true, diskWarningHours: 6, stationName: 'Station A2' });
    const idleAtB = settingsChanged(b, (s) => s.idleLockMinutes === 5);
    await a.settings.update({ idleLockMinutes: 5 });
    // B heard the later lab-wide change, so it would have heard the per-station ones before it.
    expect(await idleAtB).toMatchObject({
      stationName: 'Station B',
      trainingMode: false,
      diskWarningHours: 2,
    });
    expect(a.settings.get()).toMatchObject({
      stationName: 'Station A2',
      trainingMode: true,
      idleLockMinutes: 5,
    });

    const deletedAtA = settingsChanged(a, (s) => !profileNames(s).includes('Folio maps'));
    await b.settings.deleteScanProfile('folio maps');
    await deletedAtA;
    await expect(a.settings.deleteScanProfile('Folio maps')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps exactly one of two profiles of the same name saved at two stations at once', async () => {
    const a = await open(folder());
    const b = await open(folder());
    const results = await Promise.allSettled([
      a.settings.saveScanProfile({ name: 'Glass plates', profile: FOLIO }),
      b.settings.saveScanProfile({ name: 'glass plates', profile: { ...FOLIO, dpi: 1200 } }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
  });

  it('refuses a form saved on values another station changed meanwhile, writing none of it anywhere', async () => {
    const a = await open(folder());
    const b = await open(folder());
    const before = a.settings.get();
    await b.settings.update({ organizationName: 'Renamed at B' });
    await expect(
      a.settings.update({
        organizationName: 'Renamed at A',
        expected: { organizationName: before.organizationName },
      }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/now the organization: "Renamed at B"/),
    });
    // The refusal brought the lab's values to A: a form reading again shows them.
    expect(a.settings.get().organizationName).toBe('Renamed at B');

    // A lab-wide field and one of the station's own in one save: the station's own was changed
    // meanwhile, so the lab-wide one must not have reached the lab either.
    await a.settings.update({ stationName: 'A, renamed at its other console' });
    await expect(
      a.settings.update({
        organizationName: 'Renamed at A',
        stationName: 'A, renamed here',
        expected: { organizationName: 'Renamed at B', stationName: before.stationName },
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/the station name/) });
    expect(a.settings.get()).toMatchObject({
      organizationName: 'Renamed at B',
      stationName: 'A, renamed at its other console',
    });
    const reopened = await open(folder());
    expect(reopened.settings.get().organizationName).toBe('Renamed at B');

    // Two saves at one station at once: the second waits for the first, so the first is not
    // refused half-way (lab written, its own fields then found changed under it).
    const [first, second] = await Promise.allSettled([
      a.settings.update({
        organizationName: 'Renamed at A',
        stationName: 'A, first save',
        expected: { organizationName: 'Renamed at B', stationName: 'A, renamed at its other console' },
      }),
      a.settings.update({ stationName: 'A, second save' }),
    ]);
    expect([first.status, second.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(a.settings.get()).toMatchObject({
      organizationName: 'Renamed at A',
      stationName: 'A, second save',
    });
  }, 60_000);

  it('refuses lab-wide changes while the database is away, saves per-station ones, and flows again after', async () => {
    const a = await open(folder());
    const b = await open(folder());
    const before = a.settings.get();

    await server().stop();
    await expect(a.settings.update({ organizationName: 'Renamed in the outage' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/lab database did not answer.*nothing was saved/),
    });
    await expect(a.settings.saveScanProfile({ name: 'Outage', profile: FOLIO })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    // A form sends every field: the unchanged lab-wide ones need no lab.
    const { scanProfiles: _unchanged, ...form } = before;
    const saved = await a.settings.update({ ...form, stationName: 'Station A in the outage' });
    expect(saved).toMatchObject({
      stationName: 'Station A in the outage',
      organizationName: before.organizationName,
    });
    expect(a.settings.get().scanProfiles).toEqual(before.scanProfiles);

    await server().start();
    const atB = settingsChanged(b, (s) => profileNames(s).includes('After the outage'));
    await a.settings.saveScanProfile({ name: 'After the outage', profile: FOLIO });
    expect(profileNames(await atB)).toContain('After the outage');
    expect(b.settings.get().stationName).not.toBe('Station A in the outage');
  }, 60_000);
});
