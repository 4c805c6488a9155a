import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchSummary } from '../../../shared/contract/index';
import { startCmsEmulator } from '../../../electron/catalog/emulator';
import type { Station } from '../../../electron/station';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation } from '../../helpers/station';

describe('catalog records fill the package and decide IIIF exposure', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let emulator: Awaited<ReturnType<typeof startCmsEmulator>>;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true, simulatorSheets: 20 }));
    emulator = await startCmsEmulator({ count: 100 });
    // OBJ-000010 is embargoed until 2999; OBJ-000011 is a public, unembargoed object.
    await station.catalog.sync(emulator.url, ['OBJ-000010', 'OBJ-000011'], { sleep: async () => {} });
  });
  afterEach(async () => {
    await emulator.close();
    await dispose();
  });

  const finished = (batchId: string) =>
    new Promise<BatchSummary>((resolve) => {
      const unsubscribe = station.events.subscribe((e) => {
        if (
          e.name === 'batch.updated' &&
          e.payload.id === batchId &&
          ['completed', 'quarantined'].includes(e.payload.stage)
        ) {
          unsubscribe();
          resolve(e.payload);
        }
      });
    });

  it('an embargoed catalog record keeps a batch the manifest calls public out of IIIF', async () => {
    const done = finished('EMB-1');
    await station.pipeline.create(
      exampleManifest({
        batch_id: 'EMB-1',
        expected_pages: 1,
        file_count: 1,
        descriptive: { ...(exampleManifest().descriptive as object), accession_numbers: ['ACC-000010'] },
      }),
      null,
    );
    expect((await done).stage).toBe('completed');
    const pkg = station.pipeline.store.detail('EMB-1')!.packagePath!;
    expect(existsSync(path.join(pkg, 'data/metadata/iiif-manifest.json'))).toBe(false);
    const mods = readFileSync(path.join(pkg, 'data/mets.xml'), 'utf8');
    expect(mods).toContain('Object 10');
    expect(mods).toContain('2999-01-01');
  });

  it('a public catalog record leaves the batch public, with the catalog title', async () => {
    const done = finished('PUB-1');
    await station.pipeline.create(
      exampleManifest({
        batch_id: 'PUB-1',
        expected_pages: 1,
        file_count: 1,
        descriptive: { ...(exampleManifest().descriptive as object), accession_numbers: ['ACC-000011'] },
      }),
      null,
    );
    expect((await done).stage).toBe('completed');
    const pkg = station.pipeline.store.detail('PUB-1')!.packagePath!;
    expect(
      JSON.parse(readFileSync(path.join(pkg, 'data/metadata/iiif-manifest.json'), 'utf8')).items,
    ).toHaveLength(1);
    expect(readFileSync(path.join(pkg, 'data/mets.xml'), 'utf8')).toContain('Object 11');
  });
});
