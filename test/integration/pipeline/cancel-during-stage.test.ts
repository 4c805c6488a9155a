import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QcFinding } from '../../../shared/contract/index';
import { JobCancelledError } from '../../../electron/queue/errors';
import { createImageWorkPool } from '../../../electron/pipeline/image-work';
import type { PageWork } from '../../../electron/pipeline/page-work';
import { qcStage, type StageDeps } from '../../../electron/pipeline/stages';
import type { Station } from '../../../electron/station';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation } from '../../helpers/station';

/**
 * A supervisor cancels a batch while its QC step waits on its page jobs (minutes, when they run
 * across a lab). When the pages come back, the step must not bring the batch back as
 * quarantined (which a release would then send on to packaging) nor record what it found.
 */
describe('a batch cancelled while one of its steps waits on its pages', () => {
  let station: Station;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation());
  });
  afterEach(async () => dispose());

  /** The station's own stage dependencies, with page work that cancels the batch before answering. */
  function depsCancellingDuringInspect(batchId: string): StageDeps {
    const store = station.pipeline.store;
    const pages: PageWork = {
      async inspect(_run, _profile, list) {
        await station.pipeline.cancel(batchId, 'wrong volume', { username: 'sam', role: 'supervisor' });
        const broken: QcFinding = { page: 1, code: 'DECODE_FAILED', severity: 'error', message: 'bad' };
        return list.map((p) => ({ page: p.page, meta: null, accessWritten: false, findings: [broken] }));
      },
      derive: () => Promise.reject(new Error('not used')),
      ocr: () => Promise.reject(new Error('not used')),
    };
    return {
      core: {
        layout: station.layout,
        db: station.db,
        events: station.events,
        logger: station.logger,
        clock: station.clock,
      },
      store,
      audit: station.audit,
      devices: station.devices,
      organizationName: () => 'Test Archive',
      catalogRecord: async () => null,
      touched: () => {},
      images: createImageWorkPool(),
      pages,
    } as StageDeps;
  }

  it('keeps it cancelled, records no QC result and no quarantine, and ends the step as cancelled', async () => {
    await station.pipeline.create(exampleManifest({ batch_id: 'C-1' }), null);
    const store = station.pipeline.store;
    store.addPage('C-1', {
      page: 1,
      bytes: 10,
      sha256: 'a'.repeat(64),
      masterPath: `${station.layout.batchStaging('C-1')}/masters/page-0001.tif`,
      capturedAt: new Date().toISOString(),
    });
    store.setStage('C-1', 'qc');

    const outcome = await qcStage(
      depsCancellingDuringInspect('C-1'),
      { batchId: 'C-1' },
      { jobId: 'qc-run' },
    ).then(
      () => null,
      (error: unknown) => error,
    );

    expect(outcome).toBeInstanceOf(JobCancelledError);
    expect((outcome as Error).message).toMatch(/C-1 was cancelled while its qc step ran/);
    expect(store.summary('C-1')?.stage).toBe('cancelled');
    const events = station.audit.forObject('C-1').map((e) => `${e.type}/${e.outcome}`);
    // The manifest's validation at creation comes first; nothing after the cancel.
    expect(events.slice(events.indexOf('appraisal/cancelled'))).toEqual(['appraisal/cancelled']);
  });
});
