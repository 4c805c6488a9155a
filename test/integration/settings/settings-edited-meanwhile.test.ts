import { describe, expect, it } from 'vitest';
import { stationWithCallersEachTest } from '../../helpers/contract-caller';

// Two supervisors edit the settings at two consoles of one station. A save that names the values
// it started from (`expected`, as the Settings form sends it) is refused for a field changed
// meanwhile, and nothing of it is written; the rule is the core's, so the console and any other
// caller of settings.update meet it alike.
describe('settings changed meanwhile at another console', () => {
  const t = stationWithCallersEachTest();

  it('refuses a field stored with another value than the editor started from, saving none of the change', async () => {
    const before = t.station.settings.get();
    // The other console changes the idle lock after this one read it.
    await t.station.settings.update({ idleLockMinutes: 30 });
    const refused = await t.call.supervisor('settings.update', {
      idleLockMinutes: 20,
      organizationName: 'Abbey Library',
      expected: { idleLockMinutes: before.idleLockMinutes, organizationName: before.organizationName },
    });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'CONFLICT',
        message:
          /Nothing was saved: the idle lock changed at another console or station.*now the idle lock: 30/,
        issues: [{ path: 'idleLockMinutes', message: /now 30/ }],
      },
    });
    expect(t.station.settings.get()).toMatchObject({
      idleLockMinutes: 30,
      organizationName: before.organizationName,
    });

    // Made again on what is stored, it is saved.
    const again = await t.call.supervisor('settings.update', {
      idleLockMinutes: 20,
      organizationName: 'Abbey Library',
      expected: { idleLockMinutes: 30, organizationName: before.organizationName },
    });
    expect(again).toMatchObject({
      ok: true,
      output: { idleLockMinutes: 20, organizationName: 'Abbey Library' },
    });
  });

  it('lets a save through when the field was changed meanwhile to the same value, or not at all', async () => {
    const before = t.station.settings.get();
    await t.station.settings.update({ stationName: 'Scanner room 2' });
    const same = await t.call.supervisor('settings.update', {
      stationName: 'Scanner room 2',
      trainingMode: true,
      expected: { stationName: before.stationName, trainingMode: before.trainingMode },
    });
    expect(same).toMatchObject({ ok: true, output: { stationName: 'Scanner room 2', trainingMode: true } });
    // A field not named in `expected` is written over whatever is stored, as before.
    const blind = await t.call.supervisor('settings.update', { trainingMode: false });
    expect(blind).toMatchObject({ ok: true, output: { trainingMode: false } });
  });

  it('names a malformed expectation as invalid input', async () => {
    const bad = await t.call.supervisor('settings.update', {
      idleLockMinutes: 20,
      expected: { idleLockMinutes: 'fifteen' },
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', issues: [{ path: 'expected.idleLockMinutes' }] },
    });
    const unknown = await t.call.supervisor('settings.update', { expected: { scanProfiles: [] } });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
