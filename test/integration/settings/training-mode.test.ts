import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { makeTestStation } from '../../helpers/station';

describe('training mode', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  beforeEach(async () => ({ station, dispose } = await makeTestStation()));
  afterEach(async () => dispose());

  it('refuses practice scanners and faults until a supervisor turns it on', async () => {
    await expect(station.training.addSimulator()).rejects.toThrow(/training mode is off/);
    expect(() => station.training.injectFault('sim-1', { kind: 'jamAtPage', page: 1 })).toThrow(
      /training mode is off/,
    );
    await station.settings.update({ trainingMode: true });
    const added = await station.training.addSimulator();
    expect(added.name).toBe('training-sim-1');
    expect(station.training.simulators()).toEqual(['training-sim-1']);
    station.training.injectFault('training-sim-1', { kind: 'jamAtPage', page: 2 });
    expect(() => station.training.injectFault('scanner-9', { kind: 'clear' })).toThrow(
      /not a simulated scanner/,
    );
    await station.training.close();
    // Practice scanners leave the fleet with the station that ran them.
    expect(station.devices.list().map((d) => d.name)).not.toContain('training-sim-1');
  });
});
