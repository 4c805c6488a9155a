// A station of a lab packages its batches from the lab's catalog, in the lab database. While
// that database is away, packaging waits for it without spending its attempts (it used to
// quarantine the batch once its four attempts were gone), the console says what the batch
// waits for, and the package is described from the catalog once the database is back.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { emptyLabDatabase, labStations, postgresForSuite } from '../../helpers/lab-postgres';
import { exampleManifest } from '../../helpers/manifest';
import { withoutPostgres } from '../../helpers/postgres-server';
import { untilBatch } from '../../helpers/station';
import { catalogRecord } from '../../helpers/catalog-record';

const CATALOG_TITLE = 'Letter book of the Harbour Commission, 1887–1889 (catalogued)';
const record = catalogRecord('1994.17.42', { title: CATALOG_TITLE });

/** Resolves when the job is announced completed. */
function jobCompleted(station: Station, id: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = station.events.subscribe((event) => {
      if (event.name === 'job.updated' && event.payload.id === id && event.payload.state === 'completed') {
        stop();
        resolve();
      }
    });
  });
}

/** Resolves once the station's packaging job has been put back to wait `count` times. */
function packagingWaits(station: Station, count: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const stop = station.events.subscribe((event) => {
      if (
        event.name === 'job.updated' &&
        event.payload.type === 'batch.package' &&
        event.payload.state === 'delayed' &&
        ++seen === count
      ) {
        stop();
        resolve();
      }
    });
  });
}

describe.skipIf(withoutPostgres())('packaging while the lab database is away', () => {
  const server = postgresForSuite();
  const stations = labStations(server, { simulators: 1, runWorkers: true });
  const previousWait = process.env.QUIRE_QUEUE_WAIT_MS;
  // Read when a station opens its queue: waits of 25–50 ms instead of 5–10 s.
  beforeAll(() => void (process.env.QUIRE_QUEUE_WAIT_MS = '50'));
  afterAll(() => {
    if (previousWait === undefined) delete process.env.QUIRE_QUEUE_WAIT_MS;
    else process.env.QUIRE_QUEUE_WAIT_MS = previousWait;
  });
  afterEach(async () => {
    await server()
      .start()
      .catch(() => {});
    await stations.disposeAll();
  });

  it('waits, without spending attempts, until the database is back, then packages from the catalog', async () => {
    await emptyLabDatabase(server());
    const station = await stations.open('desk-a');
    await station.catalog.records.upsert([record]);
    await server().stop();

    // Capture, QC and derivatives need only the station; packaging reads the lab's catalog.
    const eightWaits = packagingWaits(station, 8);
    await station.pipeline.create(
      exampleManifest({ batch_id: 'WAIT-1', expected_pages: 2, file_count: 2 }),
      null,
    );
    await eightWaits;
    const waiting = station.pipeline.store.summary('WAIT-1')!;
    expect(waiting.stage).toBe('packaging');
    expect(waiting.lastError).toMatch(/^waiting for the catalog: the lab database did not answer/);
    // Twice the attempts packaging has, and none of them spent.
    const [job] = (await station.queue.list({ type: 'batch.package' })).items;
    expect(job).toMatchObject({ state: 'delayed', attempts: 0, maxAttempts: 4 });
    expect(job!.lastError).toBe(waiting.lastError);
    expect(station.pipeline.store.attempts('WAIT-1').filter((a) => a.stage === 'packaging')).toEqual([]);

    const jobDone = jobCompleted(station, job!.id);
    await server().start();
    const done = await untilBatch(station, 'WAIT-1');
    await jobDone;
    expect(done).toMatchObject({ stage: 'completed', lastError: null });
    const pkg = station.pipeline.store.detail('WAIT-1')!.packagePath!;
    const mets = readFileSync(path.join(pkg, 'data', 'mets.xml'), 'utf8');
    expect(mets).toContain(`<mods:title>${CATALOG_TITLE}</mods:title>`);
    const history = (await station.queue.show(job!.id)).attempts;
    expect(history.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'completed']]);
  }, 120_000);
});
