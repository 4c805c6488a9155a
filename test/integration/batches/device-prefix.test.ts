import { afterEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation } from '../../helpers/station';

describe("the queue's device filter", () => {
  let station: Station;
  let dispose: () => Promise<void>;
  afterEach(async () => dispose());

  it('matches the start of a scanner name in the console, exactly elsewhere', async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 0 }));
    const call = await contractCallers(station);
    for (const [id, device] of [
      ['P-1', 'sim-1'],
      ['P-2', 'sim-12'],
      ['P-3', 'scan_1'],
      ['P-4', 'scanX1'],
    ])
      await station.pipeline.create(exampleManifest({ batch_id: id, device }), null);
    const ids = async (device: string) => {
      const result = await call.operator('batches.list', { device });
      expect(result.ok).toBe(true);
      return (result as { output: { items: { id: string }[] } }).output.items.map((b) => b.id).sort();
    };
    expect(await ids('sim')).toEqual(['P-1', 'P-2']);
    expect(await ids('sim-1')).toEqual(['P-1', 'P-2']);
    expect(await ids('sim-12')).toEqual(['P-2']);
    // LIKE's wildcards in a name are taken literally.
    expect(await ids('scan_')).toEqual(['P-3']);
    expect(
      station.pipeline.store.list({ device: 'sim-1', offset: 0, limit: 10 }).items.map((b) => b.id),
    ).toEqual(['P-1']);
  });
});
