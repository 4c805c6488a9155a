import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/logger';
import { verifyManifest } from '../../../electron/pipeline/manifest/verify-manifest';
import { createStation, type Station } from '../../../electron/station';
import { exampleManifest } from '../../helpers/manifest';
import { TEST_PASSWORD_HASH_PARAMS, untilBatch } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * A station stopped after it stored a new batch and before it enqueued the batch's first job
 * (the crash-and-fault soak found one): no job would ever move that batch, and no sweep for
 * stuck jobs finds a batch that has none. The next start takes it up.
 */
describe('a batch a stop left created but without a job', () => {
  let station: Station | null = null;
  const dir = makeTempDir('quire-unstarted-');
  afterEach(async () => {
    await station?.close();
    station = null;
  });
  afterAll(() => dir.cleanup());

  const open = async (runWorkers: boolean) =>
    (station = await createStation({
      dataDir: dir.path,
      logger: silentLogger(),
      passwordHashParams: TEST_PASSWORD_HASH_PARAMS,
      runWorkers,
      simulators: runWorkers ? 1 : 0,
    }));

  /** What creation had stored when the stop came: the batch, in `validating`, and nothing more. */
  function storedOnly(s: Station, manifest: Record<string, unknown>): string {
    const check = verifyManifest(manifest);
    const id = String(manifest.batch_id);
    s.pipeline.store.insert({
      id,
      device: 'sim-1',
      title: 'Letter book',
      accessionNumbers: ['1994.17.42'],
      operator: 'omar',
      manifest,
      manifestSha256: check.sha256 ?? '',
      pagesExpected: 4,
    });
    return id;
  }

  it('is started at the next start, and completes; one with an invalid manifest is quarantined', async () => {
    const first = await open(false);
    const good = storedOnly(first, exampleManifest({ batch_id: 'UN-1' }));
    const bad = storedOnly(first, { ...exampleManifest({ batch_id: 'UN-2' }), expected_pages: -3 });
    expect(first.pipeline.store.summary(good)?.stage).toBe('validating');
    await first.close();
    station = null;

    const next = await open(true);
    expect(await untilBatch(next, good)).toMatchObject({ stage: 'completed', pagesDone: 4 });
    expect(await untilBatch(next, bad)).toMatchObject({
      stage: 'quarantined',
      lastError: 'Invalid manifest',
    });
    // The manifest's validation event, once (QC's own validation events come later).
    const manifestChecks = (id: string) =>
      next.audit
        .forObject(id)
        .filter((e) => e.type === 'validation' && !/QC|master\(s\)/.test(e.detail))
        .map((e) => e.outcome);
    expect(manifestChecks(good)).toEqual(['success']);
    expect(manifestChecks(bad)).toEqual(['failure']);
    expect(await next.pipeline.verify()).toMatchObject({ ok: true, findings: [] });
  });
});
