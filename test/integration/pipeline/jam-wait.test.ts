import { afterEach, describe, expect, it } from 'vitest';
import type { BatchSummary } from '../../../shared/contract/index';
import { FakeClock } from '../../../electron/core/clock';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch, untilJammed } from '../../helpers/station';
import { sqliteStore } from '../../helpers/queue-harness';

/**
 * A jam is the operator's to clear, however long that takes: the batch waits for the RESET
 * without spending its retries (which would quarantine it while the operator fetched help).
 */
describe('a jam that the operator takes a while to clear', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  afterEach(async () => dispose());

  it('waits a quarter of an hour for the RESET, then finishes the batch without a failed attempt', async () => {
    const clock = new FakeClock(Date.now());
    ({ station, dispose } = await makeTestStation({
      simulators: 1,
      runWorkers: true,
      simulatorSheets: 20,
      clock,
    }));
    const call = await contractCallers(station);
    station.devices.injectFault('sim-1', { kind: 'jamAtPage', page: 3 });
    const stage = (batchId: string, wanted: (b: BatchSummary) => boolean) =>
      untilBatch(station, batchId, wanted);
    const jammed = untilJammed(station);

    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'SLOW-1' }) });
    await jammed;
    await stage('SLOW-1', (b) => b.pagesDone === 2);
    // Fifteen minutes pass, in one-second steps, as backoff and heartbeats see them.
    for (let second = 0; second < 15 * 60; second++) clock.advance(1000);
    await new Promise((resolve) => setImmediate(resolve));

    const capture = sqliteStore(station).list({ batchId: 'SLOW-1', type: 'batch.capture' }).items[0]!;
    expect(capture.state).toBe('active');
    expect(station.pipeline.store.summary('SLOW-1')!.stage).toBe('capturing');

    await station.devices.reset('sim-1');
    const done = await stage('SLOW-1', (b) => b.stage === 'completed' || b.stage === 'quarantined');
    expect(done).toMatchObject({ stage: 'completed', pagesDone: 4 });
    expect(
      sqliteStore(station)
        .attempts(capture.id)
        .map((a) => a.outcome),
    ).toEqual(['completed']);
  });
});
