import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchSummary } from '../../../shared/contract/index';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';

/**
 * A batch read until the feeder is empty knows how many pages it has only from what arrived.
 * When its last page arrives and is not kept (here: it fails its checksum), no gap shows it:
 * the batch must still owe that page, whatever a supervisor decides next.
 */
describe('a batch read until the feeder is empty whose last page was not kept', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let call: Awaited<ReturnType<typeof contractCallers>>;
  const reason = 'Checksum mismatch';

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true }));
    call = await contractCallers(station);
  });
  afterEach(async () => dispose());

  const until = (batchId: string, stage?: string | ((b: BatchSummary) => boolean)) =>
    untilBatch(station, batchId, stage);
  const packagedMasters = (batchId: string) =>
    readdirSync(path.join(station.layout.batchPackage(batchId), 'data', 'masters')).sort();
  const fourPages = [1, 2, 3, 4].map((n) => `page-000${n}.tif`);

  /** Four sheets in the feeder; the fourth fails its checksum: pages 1–3 are kept. */
  async function lastPageFailed(batchId: string) {
    station.devices.simulator('sim-1')!.loadSheets(4);
    station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 4 });
    // Read until the feeder is empty: no page count, so no file count either.
    const manifest = exampleManifest({
      batch_id: batchId,
      expected_pages: 'until_empty',
      file_count: undefined,
    });
    await call.operator('batches.create', { manifest });
    expect((await until(batchId)).stage).toBe('quarantined');
    station.devices.injectFault('sim-1', { kind: 'clear' });
    expect(await call.supervisor('batches.get', { batchId })).toMatchObject({
      ok: true,
      output: {
        pages: [{ page: 1 }, { page: 2 }, { page: 3 }],
        missingPages: [{ page: 4, why: 'failed its checksum' }],
      },
    });
  }

  it('its review lists the last page, which can be chosen for recapture', async () => {
    await lastPageFailed('UE-1');
    station.devices.simulator('sim-1')!.loadSheets(1);
    const decided = await call.supervisor('quarantine.decide', {
      batchId: 'UE-1',
      decision: 'requeue',
      pages: [4],
      reason,
      note: 'recapture the last page',
    });
    expect(decided.ok).toBe(true);
    await until('UE-1', 'completed');
    expect(packagedMasters('UE-1')).toEqual(fourPages);
    expect(await station.pipeline.verify()).toMatchObject({ ok: true, findings: [] });
  });

  it('released without it, the batch does not complete: packaging finds the page missing', async () => {
    await lastPageFailed('UE-2');
    const stopped = until('UE-2', (b) => b.stage === 'quarantined' && /consistency/.test(b.lastError ?? ''));
    expect(
      (await call.supervisor('quarantine.decide', { batchId: 'UE-2', decision: 'release', reason, note: '' }))
        .ok,
    ).toBe(true);
    await stopped;
    const detail = station.pipeline.store.detail('UE-2')!;
    expect(detail.quarantine?.qcFindings).toContainEqual(
      expect.objectContaining({ code: 'PAGES_NOT_KEPT', message: expect.stringMatching(/reached page 4/) }),
    );
    expect(detail.missingPages).toEqual([{ page: 4, why: 'not captured' }]);
  });

  it('requeued whole with an empty feeder, it is not completed without the page it owes', async () => {
    await lastPageFailed('UE-3');
    const stopped = until(
      'UE-3',
      (b) => b.stage === 'quarantined' && /Page\(s\) 4 missing: the feeder ran empty/.test(b.lastError ?? ''),
    );
    expect(
      (await call.supervisor('quarantine.decide', { batchId: 'UE-3', decision: 'requeue', reason, note: '' }))
        .ok,
    ).toBe(true);
    await stopped;
    expect(station.pipeline.store.detail('UE-3')!.quarantine?.qcFindings).toMatchObject([
      { page: 4, code: 'PAGE_NOT_CAPTURED' },
    ]);

    // The sheet put back: the next requeue fills page 4 and the batch completes whole.
    station.devices.simulator('sim-1')!.loadSheets(1);
    expect(
      (await call.supervisor('quarantine.decide', { batchId: 'UE-3', decision: 'requeue', reason, note: '' }))
        .ok,
    ).toBe(true);
    await until('UE-3', 'completed');
    expect(packagedMasters('UE-3')).toEqual(fourPages);
    expect(await station.pipeline.verify()).toMatchObject({ ok: true, findings: [] });
  });
});
