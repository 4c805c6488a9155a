import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/contract/index';
import type { Station } from '../../../electron/station';
import { stationWithCallers, type ContractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { sqliteStore } from '../../helpers/queue-harness';

describe('retrying the jobs of a finished batch', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let call: ContractCallers;

  beforeEach(async () => {
    // Workers stay off until a test starts them, so every job stays where the test puts it.
    ({ station, dispose, call } = await stationWithCallers());
  });
  afterEach(async () => dispose());

  const jobsOf = (batchId: string) => sqliteStore(station).list({ batchId }).items;
  const captureJobOf = (batchId: string) => jobsOf(batchId).find((j) => j.type === 'batch.capture')!;

  /** Resolves with the job once it has ended in one of `states`, from its events. */
  const jobEnds = (id: string, states: string[]) =>
    new Promise<JobSummary>((resolve) => {
      const unsubscribe = station.events.subscribe((e) => {
        if (e.name === 'job.updated' && e.payload.id === id && states.includes(e.payload.state)) {
          unsubscribe();
          resolve(e.payload);
        }
      });
    });

  it('refuses to retry a job of a cancelled batch, in the console and in bulk, and nothing moves', async () => {
    await station.pipeline.create(exampleManifest({ batch_id: 'X-1' }), null);
    await call.operator('batches.cancel', { batchId: 'X-1', reason: 'wrong volume' });
    const capture = captureJobOf('X-1');
    expect(capture.state).toBe('cancelled');

    for (const caller of [call.operator, call.supervisor])
      expect(await caller('queue.retry', { id: capture.id })).toMatchObject({
        ok: false,
        error: {
          code: 'CONFLICT',
          message: expect.stringContaining('batch X-1 is cancelled: a finished batch is not run again'),
        },
      });
    expect(jobsOf('X-1').map((j) => j.state)).toEqual(jobsOf('X-1').map(() => 'cancelled'));
    expect(station.pipeline.store.summary('X-1')!.stage).toBe('cancelled');
  });

  it('leaves the quarantined jobs of a finished batch out of "retry all", and retries the others', async () => {
    await station.pipeline.create(exampleManifest({ batch_id: 'X-2' }), null);
    await call.operator('batches.cancel', { batchId: 'X-2', reason: 'wrong volume' });
    const now = station.clock.now();
    // A quarantined job of that batch (as if it had failed before the cancel), and one of no batch.
    const ofBatch = sqliteStore(station).insert(
      {
        queue: 'io',
        type: 'batch.package',
        payload: { batchId: 'X-2' },
        maxAttempts: 1,
        availableAt: now,
        batchId: 'X-2',
      },
      now,
    ).job;
    const loose = sqliteStore(station).insert(
      {
        queue: 'io',
        type: 'batch.package',
        payload: { batchId: 'nobody' },
        maxAttempts: 1,
        availableAt: now,
      },
      now,
    ).job;
    for (const job of sqliteStore(station).leaseUpTo('io', 'w', now, 60_000, 2))
      sqliteStore(station).fail(
        job.id,
        job.leaseToken!,
        now,
        { cls: 'fatal', message: 'disk full', stack: null },
        null,
      );

    const retried = await call.operator('queue.retryAllFailed', { queue: 'io' });
    expect(retried).toMatchObject({ ok: true, output: [{ id: loose.id, state: 'waiting' }] });
    expect((retried as { output: unknown[] }).output).toHaveLength(1);
    expect(sqliteStore(station).get(ofBatch.id)!.state).toBe('quarantined');
  });

  it('a step of a cancelled batch that runs anyway ends cancelled, not completed, and its workflow stops', async () => {
    await station.pipeline.create(exampleManifest({ batch_id: 'X-3' }), null);
    await call.operator('batches.cancel', { batchId: 'X-3', reason: 'wrong volume' });
    const capture = captureJobOf('X-3');
    // Past every guard, straight on the queue: the stage itself must not pretend it ran.
    station.queue.retry(capture.id);
    const ended = jobEnds(capture.id, ['completed', 'cancelled', 'quarantined']);
    station.queue.start();
    expect(await ended).toMatchObject({
      state: 'cancelled',
      lastError: 'batch X-3 is cancelled: its capturing step does not run',
    });
    expect(sqliteStore(station).attempts(capture.id).at(-1)).toMatchObject({ outcome: 'cancelled' });
    expect(jobsOf('X-3').some((j) => j.state === 'completed')).toBe(false);
    expect(
      jobsOf('X-3')
        .map((j) => j.type)
        .sort(),
    ).toEqual(['batch.capture', 'batch.techmd']);
    expect(station.pipeline.store.summary('X-3')).toMatchObject({ stage: 'cancelled', attempts: 0 });
  });

  it('refuses a step of an earlier run of a batch that has gone on with a new one', async () => {
    // A device not in the fleet: capture fails for good, the run's workflow fails, the batch is quarantined.
    await station.pipeline.create(exampleManifest({ batch_id: 'X-5', device: 'gone-1' }), null);
    const capture = captureJobOf('X-5');
    const ended = jobEnds(capture.id, ['completed', 'cancelled', 'quarantined']);
    station.queue.start();
    expect(await ended).toMatchObject({ state: 'quarantined' });
    expect(station.pipeline.store.summary('X-5')!.stage).toBe('quarantined');
    // As after a supervisor's requeue: the batch is under way again, on a new run.
    station.pipeline.store.setStage('X-5', 'capturing');

    expect(await call.operator('queue.retry', { id: capture.id })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringContaining('a step of an earlier run of batch X-5') },
    });
    expect(await call.operator('queue.retryAllFailed', { queue: capture.queue })).toMatchObject({
      ok: true,
      output: [],
    });
    expect(sqliteStore(station).get(capture.id)!.state).toBe('quarantined');
  });

  it('retries a cancelled job of a batch still under way', async () => {
    await station.pipeline.create(exampleManifest({ batch_id: 'X-4' }), null);
    const techmd = jobsOf('X-4').find((j) => j.type === 'batch.techmd')!;
    station.queue.cancel(techmd.id);
    const retried = await call.operator('queue.retry', { id: techmd.id });
    expect(retried).toMatchObject({ ok: true, output: { id: techmd.id, state: 'waiting' } });
  });
});
