import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchSummary, JobSummary, StationHealth } from '../../../shared/contract/index';
import { FakeClock } from '../../../electron/core/clock';
import { verifyBag } from '../../../electron/pipeline/packaging/bag-verify';
import type { Station } from '../../../electron/station';
import { armWriteFault } from '../../../electron/storage/index';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';

/**
 * A full disk in the stages after capture (ENOSPC through the storage write-fault hook, so no
 * real small disk is needed): the job is retried with "disk full" named on the job, the batch
 * and the health view, and the batch finishes once space returns. The station's clock is fake,
 * so the test moves time past the backoff instead of sleeping.
 */
const STAGES = [
  {
    stage: 'qc',
    job: 'batch.qc',
    folder: (s: Station, b: string) => path.join(s.layout.batchStaging(b), 'derivatives', 'access'),
  },
  {
    stage: 'derivatives',
    job: 'batch.derivatives',
    folder: (s: Station, b: string) => path.join(s.layout.batchStaging(b), 'derivatives', 'thumbnails'),
  },
  { stage: 'packaging', job: 'batch.package', folder: (s: Station) => s.layout.packages },
] as const;

describe('a full disk after capture', () => {
  let station: Station;
  let dispose: (() => Promise<void>) | undefined;
  let disarm: (() => void) | undefined;
  let clock: FakeClock;
  afterEach(async () => {
    disarm?.();
    await dispose?.();
  });

  const start = async () => {
    clock = new FakeClock(Date.now());
    ({ station, dispose } = await makeTestStation({
      simulators: 1,
      runWorkers: true,
      simulatorSheets: 20,
      clock,
    }));
    return contractCallers(station);
  };

  const whenJob = (wanted: (job: JobSummary) => boolean) =>
    new Promise<JobSummary>((resolve) => {
      const unsubscribe = station.events.subscribe((e) => {
        if (e.name === 'job.updated' && wanted(e.payload)) {
          unsubscribe();
          resolve(e.payload);
        }
      });
    });

  const whenBatch = (batchId: string, wanted: (b: BatchSummary) => boolean) =>
    untilBatch(station, batchId, wanted);

  const FINAL = new Set(['completed', 'quarantined', 'rejected', 'cancelled']);

  for (const { stage, job, folder } of STAGES) {
    it(`${stage}: retries with "disk full" named, shows the disk as full, and finishes when space returns`, async () => {
      const call = await start();
      const batchId = `DF-${stage}`;
      disarm = armWriteFault(folder(station, batchId));
      const retrying = whenJob((j) => j.type === job && j.state === 'retrying');
      await call.operator('batches.create', { manifest: exampleManifest({ batch_id: batchId }) });
      const failed = await retrying;

      expect(failed.lastError).toMatch(/^disk full: .*ENOSPC/);
      expect(station.pipeline.store.summary(batchId)).toMatchObject({
        stage,
        lastError: expect.stringMatching(/^disk full: /),
      });
      const health = (await call.operator('station.health', {})) as { ok: true; output: StationHealth };
      expect(health.output).toMatchObject({
        ok: false,
        disk: { diskFull: true, jobsWaitingForSpace: 1 },
        checks: expect.arrayContaining([
          expect.objectContaining({
            name: 'disk space',
            ok: false,
            detail: expect.stringMatching(/^disk full/),
          }),
        ]),
      });
      // A failed packaging attempt leaves no half-built bag taking up the space.
      expect(readdirSync(station.layout.packages).filter((n) => n.includes('.building-'))).toEqual([]);

      // Space returns; the retry's backoff (at most 5 s for the first) passes.
      disarm();
      const done = whenBatch(batchId, (b) => FINAL.has(b.stage));
      clock.advance(5_000);
      const finished = await done;
      expect(finished).toMatchObject({ stage: 'completed', lastError: null, pagesDone: 4 });
      expect(await verifyBag(station.pipeline.store.detail(batchId)!.packagePath!)).toMatchObject({
        valid: true,
      });
      const attempts = station.pipeline.store
        .detail(batchId)!
        .attemptsHistory.filter((a) => a.stage === stage);
      expect(attempts.map((a) => a.outcome)).toEqual(['transient', 'success']);
      expect(attempts[0]!.error).toMatch(/^disk full: /);
      const after = (await call.operator('station.health', {})) as { ok: true; output: StationHealth };
      expect(after.output.disk).toMatchObject({ diskFull: false, jobsWaitingForSpace: 0 });
    });
  }

  it('quarantines the batch with the full disk named once its retries are used up', async () => {
    const call = await start();
    disarm = armWriteFault(station.layout.packages);
    const quarantined = whenBatch('DF-END', (b) => FINAL.has(b.stage));
    let retries = 0;
    const unsubscribe = station.events.subscribe((e) => {
      // Each time the packaging job waits out its backoff, let the backoff (at most 40 s) pass.
      if (e.name === 'job.updated' && e.payload.type === 'batch.package' && e.payload.state === 'retrying') {
        retries += 1;
        setImmediate(() => clock.advance(60_000));
      }
    });
    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'DF-END' }) });
    const batch = await quarantined;
    unsubscribe();
    expect(retries).toBe(3);
    expect(batch.stage).toBe('quarantined');
    expect(station.pipeline.store.detail('DF-END')!.quarantine).toMatchObject({
      stage: 'packaging',
      reason: expect.stringMatching(/^disk full: could not write .*ENOSPC/),
    });
  });
});
