import { afterEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';

/** A jam and the reset that ends it are part of the batch's history, with the person who reset. */
describe("a jam in the batch's history", () => {
  let station: Station;
  let dispose: () => Promise<void>;
  afterEach(async () => dispose());

  it('records the jam (system) and the reset (the operator who pressed it) against the batch', async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true, simulatorSheets: 20 }));
    const call = await contractCallers(station);
    station.devices.injectFault('sim-1', { kind: 'jamAtPage', page: 3 });
    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'HIST-1' }) });
    const recorded = () =>
      station.audit.forObject('HIST-1').filter((e) => e.object === 'HIST-1' && e.type === 'capture');
    await untilBatch(station, 'HIST-1', () => recorded().some((e) => e.outcome === 'jammed'));
    expect(station.devices.list()[0]!.state).toBe('JAMMED');

    const reset = await call.operator('devices.reset', { name: 'sim-1' });
    expect(reset).toMatchObject({ ok: true });
    const done = await untilBatch(
      station,
      'HIST-1',
      (b) => b.stage === 'completed' || b.stage === 'quarantined',
    );
    expect(done.stage).toBe('completed');

    const story = recorded().map((e) => [e.outcome, e.agents.person]);
    expect(story).toEqual([
      ['jammed', 'system'],
      ['reset after jam', 'omar'],
    ]);
    expect(recorded()[0]!.detail).toContain('sim-1 jammed after 2 page(s)');
  });
});
