import { afterEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';

/** Batch after batch quarantined at capture on one scanner: it takes no more until a person looks. */
describe('a scanner held after repeated capture failures', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  afterEach(async () => dispose());

  it('refuses a fourth batch after three checksum quarantines; an audited acknowledgement lifts the hold', async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true, simulatorSheets: 50 }));
    const call = await contractCallers(station);
    for (const id of ['CK-1', 'CK-2', 'CK-3']) {
      station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 2 });
      await call.operator('batches.create', { manifest: exampleManifest({ batch_id: id }) });
      const done = await untilBatch(station, id, (b) => b.stage === 'quarantined' || b.stage === 'completed');
      expect(done.stage).toBe('quarantined');
      station.devices.injectFault('sim-1', { kind: 'clear' });
    }

    const [work] = await station.pipeline.work.list();
    expect(work!.hold!.batches).toEqual(['CK-3', 'CK-2', 'CK-1']);
    expect(work!.hold!.reason).toContain('checksum mismatch');

    const refused = await call.operator('batches.create', {
      manifest: exampleManifest({ batch_id: 'CK-4' }),
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(JSON.stringify(refused)).toContain('no new batch starts on sim-1');
    expect(station.pipeline.store.summary('CK-4')).toBeNull();

    const empty = await call.operator('devices.acknowledgeHold', { name: 'sim-1', note: '' });
    expect(empty).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const acknowledged = await call.operator('devices.acknowledgeHold', {
      name: 'sim-1',
      note: 'cleaned the sensor glass',
    });
    expect(acknowledged).toMatchObject({ ok: true, output: { hold: null } });
    for (const id of ['CK-1', 'CK-2', 'CK-3'])
      expect(
        station.audit
          .forObject(id)
          .filter((e) => e.outcome === 'scanner checked')
          .map((e) => e.agents.person),
      ).toEqual(['omar']);

    const again = await call.operator('devices.acknowledgeHold', { name: 'sim-1', note: 'twice' });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'CK-4' }) });
    expect((await untilBatch(station, 'CK-4')).stage).toBe('completed');
  });

  it('reports the current batch with its own profile, its progress and the batches waiting behind it', async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true, simulatorSheets: 50 }));
    const call = await contractCallers(station);
    station.devices.injectFault('sim-1', { kind: 'jamAtPage', page: 3 });
    const gray = { dpi: 200, mode: 'gray', bit_depth: 8, colour_profile: 'Gray Gamma 2.2' };
    await call.operator('batches.create', {
      manifest: exampleManifest({ batch_id: 'W-1', scanner_profile: gray }),
    });
    for (const id of ['W-2', 'W-3'])
      await call.operator('batches.create', { manifest: exampleManifest({ batch_id: id }) });
    await untilBatch(station, 'W-1', (b) => b.pagesDone === 2);
    const work = await station.pipeline.work.forDevice('sim-1');
    expect(work.current).toMatchObject({
      batchId: 'W-1',
      pagesDone: 2,
      pagesExpected: 4,
      lastPage: 2,
      profile: { dpi: 200, mode: 'gray', bitDepth: 8 },
    });
    expect(work.waiting).toEqual(['W-2', 'W-3']);
    await call.operator('devices.reset', { name: 'sim-1' });
    await untilBatch(station, 'W-3');
    expect(await station.pipeline.work.forDevice('sim-1')).toMatchObject({ current: null, waiting: [] });
  });
});
