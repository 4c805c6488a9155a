import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';

describe('a batch whose quarantine could not be written', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true, simulatorSheets: 40 }));
  });
  afterEach(async () => dispose());

  it('is quarantined by the settling sweep with its last job’s error; running and finished batches are left alone', async () => {
    station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 2 });
    await station.pipeline.create(
      exampleManifest({ batch_id: 'ORPHAN-1', expected_pages: 2, file_count: 2 }),
      null,
    );
    expect((await untilBatch(station, 'ORPHAN-1')).stage).toBe('quarantined');
    station.devices.injectFault('sim-1', { kind: 'clear' });
    await station.pipeline.create(
      exampleManifest({ batch_id: 'DONE-1', expected_pages: 2, file_count: 2 }),
      null,
    );
    expect((await untilBatch(station, 'DONE-1')).stage).toBe('completed');

    // As if the disk had been full when its capture job gave up: the job is quarantined, the
    // batch still says capturing, and no job of it is left to move it.
    station.pipeline.store.setStage('ORPHAN-1', 'capturing');
    // Seen stuck once is not enough (a stage change may be about to enqueue); twice is.
    expect(await station.pipeline.settleOrphans()).toBe(0);
    expect(station.pipeline.store.summary('ORPHAN-1')!.stage).toBe('capturing');
    expect(await station.pipeline.settleOrphans()).toBe(1);
    const settled = station.pipeline.store.detail('ORPHAN-1')!;
    expect(settled.stage).toBe('quarantined');
    expect(settled.quarantine?.reason).toBe('corrupt page(s) 2');
    expect(station.pipeline.store.summary('DONE-1')!.stage).toBe('completed');
    expect(await station.pipeline.settleOrphans()).toBe(0);
  });
});
