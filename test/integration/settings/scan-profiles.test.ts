import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/logger';
import { createStation, type Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { makeTempDir } from '../../helpers/temp-dir';

const FOLIO = { dpi: 600, mode: 'color', bit_depth: 16, colour_profile: 'eciRGB v2' } as const;

describe('saved scan profiles', () => {
  let station: Station;
  let cleanup: () => void;
  let call: Awaited<ReturnType<typeof contractCallers>>;

  beforeEach(async () => {
    const dir = makeTempDir('quire-profiles-');
    cleanup = dir.cleanup;
    station = await createStation({ dataDir: dir.path, logger: silentLogger() });
    call = await contractCallers(station);
  });
  afterEach(async () => {
    await station.close();
    cleanup();
  });

  const names = async () =>
    (
      (await call.operator('settings.get')) as { output: { scanProfiles: { name: string }[] } }
    ).output.scanProfiles.map((p) => p.name);

  it('offers the built-in profiles to everyone, and lets only a supervisor add one', async () => {
    expect(await names()).toContain('Manuscripts, 400 dpi colour');
    expect(
      await call.operator('settings.saveScanProfile', { name: 'Folio maps', profile: FOLIO }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(
      await call.supervisor('settings.saveScanProfile', { name: 'Folio maps', profile: FOLIO }),
    ).toMatchObject({
      ok: true,
    });
    expect(await names()).toContain('Folio maps');
    // Kept across a restart of the station on the same data folder.
    await station.close();
    station = await createStation({ dataDir: station.layout.root, logger: silentLogger() });
    expect(station.settings.get().scanProfiles.at(-1)).toEqual({ name: 'Folio maps', profile: FOLIO });
  });

  it('refuses a name already taken, in any letter case, and keeps the stored profile as it was', async () => {
    await call.supervisor('settings.saveScanProfile', { name: 'Folio maps', profile: FOLIO });
    const again = await call.supervisor('settings.saveScanProfile', {
      name: 'FOLIO MAPS',
      profile: { ...FOLIO, dpi: 300 },
    });
    expect(again).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: /Folio maps.*already exists/ },
    });
    expect(station.settings.get().scanProfiles.find((p) => p.name === 'Folio maps')!.profile.dpi).toBe(600);
  });

  it('names what is wrong with a profile, and never lets settings.update replace the list', async () => {
    const bad = await call.supervisor('settings.saveScanProfile', {
      name: 'Bitonal at 8 bits',
      profile: { ...FOLIO, mode: 'bw', bit_depth: 8 },
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', issues: [{ path: 'profile.bit_depth' }] },
    });
    const wholesale = await call.supervisor('settings.update', { scanProfiles: [] });
    expect(wholesale).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await names()).length).toBe(3);
  });

  it('deletes a profile for a supervisor, and says so when there is no such profile', async () => {
    expect(
      await call.operator('settings.deleteScanProfile', { name: 'Typescript, 600 dpi bitonal' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(
      await call.supervisor('settings.deleteScanProfile', { name: 'typescript, 600 dpi bitonal' }),
    ).toMatchObject({
      ok: true,
    });
    expect(await names()).not.toContain('Typescript, 600 dpi bitonal');
    expect(await call.supervisor('settings.deleteScanProfile', { name: 'Nothing' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});
