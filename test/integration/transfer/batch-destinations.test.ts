import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/contract/index';
import type { Station } from '../../../electron/station';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';

function untilTransfer(station: Station): Promise<JobSummary> {
  return new Promise((resolve) => {
    const unsubscribe = station.events.subscribe((e) => {
      if (
        e.name === 'job.updated' &&
        e.payload.type === 'batch.transfer' &&
        ['completed', 'quarantined'].includes(e.payload.state)
      ) {
        unsubscribe();
        resolve(e.payload);
      }
    });
  });
}

describe('the destinations a batch names', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true, simulatorSheets: 20 }));
    dir = makeTempDir('quire-batch-dest-');
    for (const [name, automatic] of [
      ['archive', false],
      ['everything', true],
    ] as const) {
      mkdirSync(path.join(dir.path, name));
      await station.transfer.saveDestination({
        name,
        url: `file://${path.join(dir.path, name)}`,
        rate: '',
        verify: 'all',
        automatic,
        hasCredential: false,
      });
    }
  });
  afterEach(async () => {
    await dispose();
    dir.cleanup();
  });

  const manifest = (batchId: string, transferTo?: string[]) =>
    exampleManifest({
      batch_id: batchId,
      expected_pages: 2,
      file_count: 2,
      ...(transferTo ? { transfer_to: transferTo } : {}),
    });

  it('sends the package to the destinations the batch names instead of the automatic ones', async () => {
    const sent = untilTransfer(station);
    await station.pipeline.create(manifest('DEST-1', ['archive']), null);
    expect((await untilBatch(station, 'DEST-1')).stage).toBe('completed');
    expect(await sent).toMatchObject({ state: 'completed' });
    expect(existsSync(path.join(dir.path, 'archive', 'DEST-1', 'bagit.txt'))).toBe(true);
    expect(existsSync(path.join(dir.path, 'everything', 'DEST-1'))).toBe(false);
    const replication = station.audit.forObject('DEST-1').filter((e) => e.type === 'replication');
    expect(replication).toMatchObject([{ outcome: 'success' }]);
  }, 120_000);

  it('without a choice the automatic destinations apply; an empty choice sends it nowhere', async () => {
    const sent = untilTransfer(station);
    await station.pipeline.create(manifest('DEST-2'), null);
    await untilBatch(station, 'DEST-2');
    await sent;
    expect(existsSync(path.join(dir.path, 'everything', 'DEST-2', 'bagit.txt'))).toBe(true);

    await station.pipeline.create(manifest('DEST-3', []), null);
    expect((await untilBatch(station, 'DEST-3')).stage).toBe('completed');
    const jobs = await station.queue.list({ batchId: 'DEST-3', limit: 20 });
    expect(jobs.items.map((j) => j.type)).not.toContain('batch.transfer');
  }, 120_000);

  it('refuses a batch naming a destination this station does not have, before anything starts', async () => {
    await expect(
      station.pipeline.create(manifest('DEST-4', ['archive', 'tape-robot']), null),
    ).rejects.toThrow(/no storage destination "tape-robot" \(configured: archive, everything\)/);
    expect(station.pipeline.store.summary('DEST-4')).toBeNull();
  });
});
