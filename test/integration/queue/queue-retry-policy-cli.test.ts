import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/logger';
import { createStation, type Station } from '../../../electron/station';
import { runCli } from '../../helpers/cli';
import { exampleManifest } from '../../helpers/manifest';
import { makeTempDir } from '../../helpers/temp-dir';
import { sqliteStore } from '../../helpers/queue-harness';

/** The CLI obeys the console's rules: no job of a finished or quarantined batch runs again. */
describe('quire queue retry|retry-all and the batch rules', () => {
  let dir: ReturnType<typeof makeTempDir>;
  const dataDir = () => path.join(dir.path, 'station');
  const open = () => createStation({ dataDir: dataDir(), logger: silentLogger() });
  let jobs: { cancelledCapture: string; underReview: string; loose: string };

  /** A quarantined job on the `io` queue, of the given batch (or of none). */
  const quarantinedJob = (station: Station, batchId?: string) => {
    const now = station.clock.now();
    const { job } = sqliteStore(station).insert(
      {
        queue: 'io',
        type: 'batch.package',
        payload: { batchId: batchId ?? 'none' },
        maxAttempts: 1,
        availableAt: now,
        batchId,
      },
      now,
    );
    const leased = sqliteStore(station).lease('io', 'w', now, 60_000)!;
    sqliteStore(station).fail(
      job.id,
      leased.leaseToken!,
      now,
      { cls: 'fatal', message: 'boom', stack: null },
      null,
    );
    return job.id;
  };

  beforeEach(async () => {
    dir = makeTempDir('quire-queue-policy-');
    const station = await open();
    await station.pipeline.create(exampleManifest({ batch_id: 'GONE-1' }), null);
    await station.pipeline.cancel('GONE-1', 'wrong volume', { username: 'omar', role: 'operator' });
    // An invalid manifest with a usable id: quarantined, waiting for a supervisor.
    await station.pipeline.create(exampleManifest({ batch_id: 'REVIEW-1', expected_pages: 'many' }), null);
    jobs = {
      cancelledCapture: sqliteStore(station).list({ batchId: 'GONE-1', type: 'batch.capture' }).items[0]!.id,
      underReview: quarantinedJob(station, 'REVIEW-1'),
      loose: '',
    };
    await station.close();
  });
  afterEach(() => dir.cleanup());

  const states = async () => {
    const station = await open();
    try {
      return Object.fromEntries(
        Object.entries(jobs)
          .filter(([, id]) => id)
          .map(([name, id]) => [name, sqliteStore(station).get(id)!.state]),
      );
    } finally {
      await station.close();
    }
  };

  it('refuses a job of a cancelled batch, and one of a batch in quarantine, each with its reason', async () => {
    const gone = await runCli(['queue', 'retry', jobs.cancelledCapture, '--data', dataDir()]).done;
    expect(gone.code).toBe(1);
    expect(gone.json).toMatchObject({
      error: { code: 'CONFLICT', message: expect.stringContaining('batch GONE-1 is cancelled') },
    });
    const review = await runCli(['queue', 'retry', jobs.underReview, '--data', dataDir()]).done;
    expect(review.code).toBe(1);
    expect(review.json).toMatchObject({
      error: { code: 'CONFLICT', message: expect.stringContaining('a supervisor decides there') },
    });
    expect(await states()).toEqual({ cancelledCapture: 'cancelled', underReview: 'quarantined' });
  });

  it('retry-all runs again only the jobs whose batch may go on', async () => {
    const station = await open();
    jobs.loose = quarantinedJob(station);
    await station.close();
    const all = await runCli(['queue', 'retry-all', 'io', '--data', dataDir()]).done;
    expect(all.code).toBe(0);
    expect(all.json).toEqual([expect.objectContaining({ id: jobs.loose, state: 'waiting' })]);
    expect(await states()).toEqual({
      cancelledCapture: 'cancelled',
      underReview: 'quarantined',
      loose: 'waiting',
    });
  });
});
