import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/logger';
import { createStation } from '../../../electron/station';
import { runCli } from '../../helpers/cli';
import { exampleManifest } from '../../helpers/manifest';
import { makeTempDir } from '../../helpers/temp-dir';

/** Everything a run could change: jobs, their attempts, the batch's attempts, the audit log. */
function snapshot(dataDir: string) {
  const db = new Database(path.join(dataDir, 'quire.db'), { readonly: true });
  try {
    return {
      jobs: db.prepare('SELECT id, state, attempts, updated_at FROM queue_jobs ORDER BY id').all(),
      jobAttempts: db.prepare('SELECT COUNT(*) AS n FROM queue_attempts').get(),
      batchAttempts: db.prepare('SELECT * FROM batch_attempts ORDER BY id').all(),
      batches: db.prepare('SELECT id, stage, updated_at FROM batches').all(),
      audit: db.prepare('SELECT COUNT(*) AS n FROM audit_events').get(),
    };
  } finally {
    db.close();
  }
}

describe('quire batch run on a folder whose batch already exists', () => {
  let dir: ReturnType<typeof makeTempDir>;
  const manifestFile = () => path.join(dir.path, 'manifest.json');
  const data = () => ['--data', path.join(dir.path, 'station')];

  beforeEach(async () => {
    dir = makeTempDir('quire-batch-run-');
    // The batch exists with its work queued, as a run interrupted before capture leaves it.
    writeFileSync(manifestFile(), JSON.stringify(exampleManifest({ batch_id: 'RUN-1' })));
    const station = await createStation({ dataDir: path.join(dir.path, 'station'), logger: silentLogger() });
    await station.pipeline.create(exampleManifest({ batch_id: 'RUN-1' }), null);
    await station.close();
  });
  afterEach(() => dir.cleanup());

  it('says CONFLICT and changes nothing, however often it is run; --resume runs the batch to its end', async () => {
    const before = snapshot(path.join(dir.path, 'station'));
    expect(before.jobs.length).toBeGreaterThan(0);
    for (let run = 0; run < 2; run++) {
      const result = await runCli(['batch', 'run', manifestFile(), ...data()]).done;
      expect(result.code).toBe(2);
      expect(result.json).toMatchObject({
        error: { code: 'CONFLICT', message: expect.stringContaining('nothing was changed') },
      });
      expect(snapshot(path.join(dir.path, 'station'))).toEqual(before);
    }

    const resumed = await runCli(['batch', 'run', manifestFile(), '--resume', ...data()]).done;
    expect(resumed.json).toMatchObject({ batch: 'RUN-1', outcome: 'completed', pages: 4 });
    expect(resumed.code).toBe(0);
  });

  it('--resume refuses a different manifest under the same batch id, changing nothing', async () => {
    const before = snapshot(path.join(dir.path, 'station'));
    writeFileSync(
      manifestFile(),
      JSON.stringify(exampleManifest({ batch_id: 'RUN-1', expected_pages: 2, file_count: 2 })),
    );
    const result = await runCli(['batch', 'run', manifestFile(), '--resume', ...data()]).done;
    expect(result.code).toBe(2);
    expect(result.json).toMatchObject({
      error: {
        code: 'CONFLICT',
        message: 'batch RUN-1 exists with a different manifest; nothing was changed',
      },
    });
    expect(snapshot(path.join(dir.path, 'station'))).toEqual(before);
  });
});

describe('quire batch run on a simulator', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let run: ReturnType<typeof runCli> | null = null;
  beforeEach(() => (dir = makeTempDir('quire-batch-run-sim-')));
  // A run that never ends (the failure this guards against) must not outlive its test.
  afterEach(() => {
    run?.child.kill('SIGKILL');
    dir.cleanup();
  });

  it('a batch read until the feeder is empty ends with the 10 sheets the simulator was loaded with', async () => {
    const manifestFile = path.join(dir.path, 'manifest.json');
    const { file_count: _count, ...manifest } = exampleManifest({ batch_id: 'RUN-EMPTY' });
    writeFileSync(
      manifestFile,
      JSON.stringify(exampleManifest({ ...manifest, expected_pages: 'until_empty' })),
    );
    run = runCli(['batch', 'run', manifestFile, '--data', path.join(dir.path, 'station')]);
    const result = await run.done;
    expect(result.json).toMatchObject({ batch: 'RUN-EMPTY', outcome: 'completed', pages: 10 });
    expect(result.code).toBe(0);
  });
});
