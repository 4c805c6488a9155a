import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchStage, JobSummary, TransferStatus } from '../../../shared/contract/index';
import { queueTransfer } from '../../../electron/pipeline/transfer-stage';
import type { Station } from '../../../electron/station';
import { makeTestStation } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeBag } from './fixture';

function untilJob(station: Station, type: string, final = ['completed', 'quarantined']): Promise<JobSummary> {
  return new Promise((resolve) => {
    const unsubscribe = station.events.subscribe((e) => {
      if (e.name === 'job.updated' && e.payload.type === type && final.includes(e.payload.state)) {
        unsubscribe();
        resolve(e.payload);
      }
    });
  });
}

/** A batch the station knows, at `stage`, with its package under packages/ (as the packager leaves it). */
function packagedBatch(
  station: Station,
  id: string,
  masters: number[],
  stage: BatchStage = 'completed',
): void {
  station.pipeline.store.insert({
    id,
    device: 'sim-1',
    title: `Letter book ${id}`,
    accessionNumbers: [`ACC-${id}`],
    operator: 'omar',
    manifest: { batch_id: id, expected_pages: masters.length },
    manifestSha256: 'a'.repeat(64),
    pagesExpected: masters.length,
  });
  station.pipeline.store.setStage(id, stage);
  makeBag(station.layout.packages, id, masters);
}

/** What queueTransfer needs, from the station. */
const stageDeps = (station: Station) => ({
  transfer: station.transfer,
  packageDir: (id: string) => station.layout.batchPackage(id),
  stage: (id: string) => station.pipeline.store.summary(id)?.stage ?? null,
});

describe('batch.transfer on the io queue', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ runWorkers: true }));
    dir = makeTempDir('quire-stage-dest-');
  });
  afterEach(async () => {
    await dispose();
    dir.cleanup();
  });

  /** A folder destination "repository" (verify every file, not automatic); returns its path. */
  const repositoryFolder = async () => {
    const dest = path.join(dir.path, 'ingest');
    mkdirSync(dest);
    await station.transfer.saveDestination({
      name: 'repository',
      url: `file://${dest}`,
      rate: '',
      verify: 'all',
      automatic: false,
      hasCredential: false,
    });
    return dest;
  };

  it('sends a packaged batch on demand, shows progress, and records the replication against the batch', async () => {
    const dest = await repositoryFolder();
    packagedBatch(station, 'B1', [500_000]);
    const progress: TransferStatus[] = [];
    station.events.subscribe((e) => {
      if (e.name === 'transfer.progress') progress.push(e.payload);
    });
    const done = untilJob(station, 'batch.transfer');
    const { jobId } = await queueTransfer(station.queue, stageDeps(station), 'B1', 'repository');
    const job = await done;
    expect(job).toMatchObject({ id: jobId, state: 'completed', queue: 'io' });
    expect(statSync(path.join(dest, 'B1', 'bagit.txt')).isFile()).toBe(true);
    expect(progress.at(-1)).toMatchObject({ batchId: 'B1', destination: 'repository', state: 'complete' });
    expect(station.transfer.status()).toMatchObject([{ batchId: 'B1', state: 'complete' }]);
    const events = station.audit.forObject('B1').filter((e) => e.type === 'replication');
    expect(events).toMatchObject([{ outcome: 'success' }]);
  });

  it('quarantines the job at once when the destination cannot work (no retries), naming why', async () => {
    await station.transfer.saveDestination({
      name: 'unmounted',
      url: `file://${path.join(dir.path, 'not-mounted')}`,
      rate: '',
      verify: 'all',
      automatic: false,
      hasCredential: false,
    });
    packagedBatch(station, 'B3', [10_000]);
    const done = untilJob(station, 'batch.transfer');
    await queueTransfer(station.queue, stageDeps(station), 'B3', 'unmounted');
    const job = await done;
    expect(job).toMatchObject({ state: 'quarantined', attempts: 1 });
    expect(job.lastError).toMatch(/does not exist \(is the share mounted\?\)/);
  });

  it('refuses to queue a batch without a finished package, or an unknown destination', async () => {
    const deps = stageDeps(station);
    station.pipeline.store.insert({
      id: 'B2',
      device: 'sim-1',
      title: 'Letter book B2',
      accessionNumbers: ['ACC-B2'],
      operator: 'omar',
      manifest: { batch_id: 'B2' },
      manifestSha256: 'a'.repeat(64),
      pagesExpected: 1,
    });
    station.pipeline.store.setStage('B2', 'completed');
    await expect(queueTransfer(station.queue, deps, 'B2', 'nowhere')).rejects.toThrow(
      /destination nowhere not found/,
    );
    await station.transfer.saveDestination({
      name: 'repository',
      url: `file://${dir.path}`,
      rate: '50M',
      verify: 'sample',
      automatic: false,
      hasCredential: false,
    });
    await expect(queueTransfer(station.queue, deps, 'B2', 'repository')).rejects.toThrow(
      /no finished package/,
    );
  });

  it('refuses a package whose batch is not completed, on demand and when a queued job runs', async () => {
    const dest = await repositoryFolder();
    // Packaging's consistency check quarantined it: its package lacks a page.
    packagedBatch(station, 'Q1', [10_000, 10_000], 'quarantined');
    await expect(queueTransfer(station.queue, stageDeps(station), 'Q1', 'repository')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/batch Q1 is quarantined: only a completed batch's package is sent/),
    });
    await expect(queueTransfer(station.queue, stageDeps(station), 'NOPE', 'repository')).rejects.toThrow(
      /batch NOPE not found/,
    );

    // Queued while completed, then reprocessed into quarantine before the job ran.
    packagedBatch(station, 'Q2', [10_000]);
    const done = untilJob(station, 'batch.transfer');
    await station.queue.setPaused('io', true);
    await queueTransfer(station.queue, stageDeps(station), 'Q2', 'repository');
    station.pipeline.store.setStage('Q2', 'quarantined');
    await station.queue.setPaused('io', false);
    const job = await done;
    expect(job).toMatchObject({ state: 'quarantined' });
    expect(job.lastError).toMatch(/batch Q2 is quarantined: only a completed batch's package is sent/);
    expect(readdirSync(dest)).toEqual([]);
    expect(station.audit.forObject('Q2').filter((e) => e.type === 'replication')).toEqual([]);
  });

  it('keeps a destination secret out of the database, in an owner-only file', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nTESTKEYMATERIAL\n-----END OPENSSH PRIVATE KEY-----\n';
    const saved = await station.transfer.saveDestination(
      {
        name: 'drop',
        url: 'sftp://quire@127.0.0.1:2222/ingest',
        rate: '20M@08:00-18:00,unlimited',
        verify: 'all',
        automatic: true,
        hasCredential: false,
      },
      { privateKey: key },
    );
    expect(saved).toMatchObject([{ name: 'drop', hasCredential: true, automatic: true }]);
    expect(station.transfer.automatic()).toEqual(['drop']);
    station.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(station.layout.database).includes('TESTKEYMATERIAL')).toBe(false);
    const file = path.join(station.layout.root, 'credentials', 'transfer-drop');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    await station.transfer.removeDestination('drop');
    expect(() => statSync(file)).toThrow();
  });
});
