import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch, untilJammed } from '../../helpers/station';

/**
 * An eSCL page that breaks off mid-body leaves its sheet out of the feeder, and the scanner holds
 * it in doubt until a person puts it back and resets. A batch read until the feeder is empty owes
 * that page: reset without the sheet put back, it must not complete without it.
 */
describe('a batch read until the feeder is empty whose last sheet broke off', () => {
  let station: Station;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({
      esclSimulators: 1,
      runWorkers: true,
      simulatorSheets: 3,
    }));
  });
  afterEach(async () => dispose());

  it('is quarantined with that page missing when the scanner is reset without it', async () => {
    const call = await contractCallers(station);
    const held = untilJammed(station, 'sim-escl');
    station.devices.injectFault('sim-escl', { kind: 'dropMidPage', page: 3 });
    const manifest = exampleManifest({
      batch_id: 'SLF-1',
      device: 'sim-escl',
      expected_pages: 'until_empty',
      file_count: undefined,
    });
    expect((await call.operator('batches.create', { manifest })).ok).toBe(true);
    await held;
    expect(station.devices.list().find((d) => d.name === 'sim-escl')).toMatchObject({
      alert: { code: 'SHEET_IN_DOUBT', message: expect.stringMatching(/^page 3 was being scanned/) },
    });

    // Reset without putting the sheet back: the feeder is empty, and page 3 is still owed.
    const ended = untilBatch(station, 'SLF-1', (b) => ['quarantined', 'completed'].includes(b.stage));
    await station.pipeline.resetAfterJam('sim-escl', { username: 'omar', role: 'operator' });
    expect(await ended).toMatchObject({
      stage: 'quarantined',
      lastError: expect.stringMatching(/Page\(s\) 3 missing: the feeder ran empty/),
    });
    expect(station.pipeline.store.pages('SLF-1').map((p) => p.page)).toEqual([1, 2]);
    expect(station.pipeline.store.detail('SLF-1')!.missingPages).toEqual([
      {
        page: 3,
        why: 'page 3 reached the station before and was not kept; the feeder ran empty before it was scanned again',
      },
    ]);
  });
});
