import { afterEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';

/** A supervisor clears a group of quarantined batches at once; each is still its own audited decision. */
describe('bulk quarantine decisions', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  afterEach(async () => dispose());

  it('decides each batch on its own, audits each with the reason, and refuses operators', async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true, simulatorSheets: 50 }));
    const call = await contractCallers(station);
    for (const id of ['G-1', 'G-2']) {
      station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 2 });
      await station.pipeline.create(exampleManifest({ batch_id: id }), null);
      expect((await untilBatch(station, id)).stage).toBe('quarantined');
      station.devices.injectFault('sim-1', { kind: 'clear' });
    }
    await station.pipeline.create(exampleManifest({ batch_id: 'G-OK' }), null);
    expect((await untilBatch(station, 'G-OK')).stage).toBe('completed');
    const reason = station.settings.get().quarantineReasons[0]!;
    const input = { batchIds: ['G-1', 'G-2', 'G-OK'], decision: 'reject', reason, note: 'sensor fault' };

    expect(await call.operator('quarantine.decideMany', input)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(station.pipeline.store.summary('G-1')!.stage).toBe('quarantined');
    expect(
      await call.supervisor('quarantine.decideMany', { ...input, batchIds: ['G-1', 'G-1'] }),
    ).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    const result = await call.supervisor('quarantine.decideMany', input);
    expect(result).toMatchObject({
      ok: true,
      output: {
        decided: [
          { id: 'G-1', stage: 'rejected' },
          { id: 'G-2', stage: 'rejected' },
        ],
        refused: [{ batchId: 'G-OK', message: expect.stringContaining('not quarantined') }],
      },
    });
    for (const id of ['G-1', 'G-2']) {
      const events = station.audit.forObject(id).filter((e) => e.type === 'appraisal');
      expect(events.map((e) => [e.outcome, e.detail, e.agents.person])).toEqual([
        ['rejected', `${reason} — sensor fault`, 'sofia'],
      ]);
    }
    expect(station.audit.forObject('G-OK').filter((e) => e.type === 'appraisal')).toEqual([]);
  });
});
