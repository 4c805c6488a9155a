import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';

/** A page that failed is recaptured into its own slot; nothing is numbered past the batch. */
describe('the slot of a failed page', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let call: Awaited<ReturnType<typeof contractCallers>>;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true, simulatorSheets: 40 }));
    call = await contractCallers(station);
  });
  afterEach(async () => dispose());

  const until = (batchId: string, stage?: Parameters<typeof untilBatch>[2]) =>
    untilBatch(station, batchId, stage);

  const packagedMasters = (batchId: string) =>
    readdirSync(path.join(station.layout.batchPackage(batchId), 'data', 'masters')).sort();

  async function quarantinedWithPageTwoCorrupt(batchId: string) {
    station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 2 });
    await call.operator('batches.create', {
      manifest: exampleManifest({ batch_id: batchId, expected_pages: 5, file_count: 5 }),
    });
    expect((await until(batchId)).stage).toBe('quarantined');
    station.devices.injectFault('sim-1', { kind: 'clear' });
    const detail = await call.supervisor('batches.get', { batchId });
    expect(detail).toMatchObject({
      ok: true,
      output: {
        pages: [{ page: 1 }, { page: 3 }, { page: 4 }, { page: 5 }],
        missingPages: [{ page: 2, why: 'failed its checksum' }],
      },
    });
  }

  it('requeueing the whole batch recaptures the failed page into its slot, not after the last', async () => {
    await quarantinedWithPageTwoCorrupt('SL-1');
    const decided = await call.supervisor('quarantine.decide', {
      batchId: 'SL-1',
      decision: 'requeue',
      reason: 'Checksum mismatch',
      note: '',
    });
    expect(decided.ok).toBe(true);
    const done = await until('SL-1', 'completed');
    expect(done.pagesDone).toBe(5);
    expect(station.pipeline.store.pages('SL-1').map((p) => p.page)).toEqual([1, 2, 3, 4, 5]);
    expect(packagedMasters('SL-1')).toEqual([1, 2, 3, 4, 5].map((n) => `page-000${n}.tif`));
    const captures = station.audit
      .forObject('SL-1')
      .filter((e) => e.type === 'capture')
      .map((e) => e.object);
    expect(captures.sort()).toEqual([1, 2, 3, 4, 5].map((n) => `SL-1/masters/page-000${n}.tif`));
    expect(await station.pipeline.verify()).toMatchObject({ ok: true, findings: [] });
  });

  it('the failed page can be chosen for recapture in review, and fills its slot', async () => {
    await quarantinedWithPageTwoCorrupt('SL-2');
    const decided = await call.supervisor('quarantine.decide', {
      batchId: 'SL-2',
      decision: 'requeue',
      pages: [2],
      reason: 'Checksum mismatch',
      note: 'recapture the missing page',
    });
    expect(decided.ok).toBe(true);
    await until('SL-2', 'completed');
    expect(packagedMasters('SL-2')).toEqual([1, 2, 3, 4, 5].map((n) => `page-000${n}.tif`));
    expect(await station.pipeline.verify()).toMatchObject({ ok: true });
  });

  it('a package that fails the consistency check is set aside, never sent, and the batch packages again', async () => {
    await quarantinedWithPageTwoCorrupt('SL-6');
    const reason = 'Checksum mismatch';
    // A supervisor releases the batch past its gap: packaging's consistency check stops it.
    const atPackaging = until(
      'SL-6',
      (b) => b.stage === 'quarantined' && b.lastError?.includes('consistency') === true,
    );
    expect(
      (await call.supervisor('quarantine.decide', { batchId: 'SL-6', decision: 'release', reason, note: '' }))
        .ok,
    ).toBe(true);
    const stopped = await atPackaging;
    expect(stopped.lastError).toMatch(
      /the package was set aside at packages\/\.rejected\/SL-6\.\d{8}T\d{6}Z, and a release packages the batch again/,
    );
    expect(existsSync(station.layout.batchPackage('SL-6'))).toBe(false);
    const [aside] = readdirSync(path.join(station.layout.packages, '.rejected'));
    expect(readdirSync(path.join(station.layout.packages, '.rejected', aside!, 'data', 'masters'))).toEqual(
      [1, 3, 4, 5].map((n) => `page-000${n}.tif`),
    );
    const refused = await call.supervisor('transfer.start', { batchId: 'SL-6', destination: 'anywhere' });
    expect(refused.ok).toBe(false);

    // The missing page recaptured into its slot: a new package holds every page.
    expect(
      (
        await call.supervisor('quarantine.decide', {
          batchId: 'SL-6',
          decision: 'requeue',
          pages: [2],
          reason,
          note: '',
        })
      ).ok,
    ).toBe(true);
    await until('SL-6', 'completed');
    expect(packagedMasters('SL-6')).toEqual([1, 2, 3, 4, 5].map((n) => `page-000${n}.tif`));
    expect(await station.pipeline.verify()).toMatchObject({ ok: true, findings: [] });
  });

  it('a recaptured page supersedes the old master, which stays accounted for in superseded/', async () => {
    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'SL-3' }) });
    station.devices.injectFault('sim-1', { kind: 'undecodableAtPage', page: 3 });
    await until('SL-3');
    station.devices.injectFault('sim-1', { kind: 'clear' });
    // Page 3 did not decode: the supervisor has it captured again.
    const decided = await call.supervisor('quarantine.decide', {
      batchId: 'SL-3',
      decision: 'requeue',
      pages: [3],
      reason: 'Checksum mismatch',
      note: '',
    });
    expect(decided.ok).toBe(true);
    await until('SL-3', 'completed');
    const moves = station.audit.forObject('SL-3/masters/page-0003.tif').map((e) => [e.type, e.outcome]);
    expect(moves).toEqual([
      ['capture', 'success'],
      ['message digest calculation', 'success'],
      ['filename change', 'superseded'],
      ['capture', 'success'],
      ['message digest calculation', 'success'],
    ]);
    expect(await station.pipeline.verify()).toMatchObject({ ok: true });
  });
});
