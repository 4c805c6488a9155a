import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/contract/index';
import type { Clock } from '../../../electron/core/clock';
import type { Station } from '../../../electron/station';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';

const supervisor = { username: 'sam', role: 'supervisor' as const };
const operator = { username: 'olive', role: 'operator' as const };
const DAY = 24 * 3600_000;

/** Real time plus an offset the test moves: days pass without sleeping, timers stay real. */
class ShiftedClock implements Clock {
  offset = 0;
  now = () => Date.now() + this.offset;
  setTimeout = (fn: () => void, ms: number) => setTimeout(fn, ms);
  clearTimeout = (handle: unknown) => clearTimeout(handle as NodeJS.Timeout);
}

/** Resolves once `count` transfer jobs of the batch have each completed or been quarantined. */
function untilTransfers(station: Station, batchId: string, count: number): Promise<JobSummary[]> {
  const settled = new Map<string, JobSummary>();
  return new Promise((resolve) => {
    const unsubscribe = station.events.subscribe((e) => {
      if (
        e.name === 'job.updated' &&
        e.payload.type === 'batch.transfer' &&
        e.payload.batchId === batchId &&
        ['completed', 'quarantined'].includes(e.payload.state)
      ) {
        settled.set(e.payload.id, e.payload);
        if (settled.size < count) return;
        unsubscribe();
        resolve([...settled.values()]);
      }
    });
  });
}

describe('retention of the local copy after verified transfer', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let dir: ReturnType<typeof makeTempDir>;
  let clock: ShiftedClock;

  async function start(destinations: { name: string; verify?: 'all' | 'sample'; missing?: boolean }[]) {
    clock = new ShiftedClock();
    ({ station, dispose } = await makeTestStation({
      simulators: 1,
      runWorkers: true,
      simulatorSheets: 20,
      clock,
    }));
    dir = makeTempDir('quire-retention-');
    for (const d of destinations) {
      const folder = path.join(dir.path, d.name);
      if (!d.missing) mkdirSync(folder);
      await station.transfer.saveDestination({
        name: d.name,
        url: `file://${folder}`,
        rate: '',
        verify: d.verify ?? 'all',
        automatic: false,
        hasCredential: false,
      });
    }
  }
  afterEach(async () => {
    await dispose();
    dir.cleanup();
  });

  /** A two-page batch sent to `to`; resolves once it completed and every transfer settled. */
  async function batch(batchId: string, to: string[]) {
    const transfers = untilTransfers(station, batchId, to.length);
    await station.pipeline.create(
      exampleManifest({ batch_id: batchId, expected_pages: 2, file_count: 2, transfer_to: to }),
      null,
    );
    expect((await untilBatch(station, batchId)).stage).toBe('completed');
    return transfers;
  }

  const localCopy = (batchId: string) => ({
    package: existsSync(station.layout.batchPackage(batchId)),
    masters: existsSync(station.layout.batchMasters(batchId)),
  });
  const events = (batchId: string, type: string) =>
    station.audit.forObject(batchId).filter((e) => e.type === type);

  it('prunes the package and staging once every named destination verified it, audited; verify stays clean', async () => {
    await start([{ name: 'archive' }, { name: 'offsite' }]);
    station.transfer.retention.setPolicy(supervisor, { keep: 'until-verified' });
    const jobs = await batch('KEEP-1', ['archive', 'offsite']);
    expect(jobs.map((j) => j.state)).toEqual(['completed', 'completed']);
    expect(localCopy('KEEP-1')).toEqual({ package: false, masters: false });
    for (const d of ['archive', 'offsite'])
      expect(existsSync(path.join(dir.path, d, 'KEEP-1', 'bagit.txt'))).toBe(true);

    const replications = events('KEEP-1', 'replication').filter((e) => e.outcome === 'success');
    const [deletion] = events('KEEP-1', 'deletion');
    expect(replications).toHaveLength(2);
    expect(deletion).toMatchObject({ outcome: 'success', agents: { person: 'system' } });
    expect(deletion!.detail).toMatch(
      /^local copy pruned after verified replication to file:\/\/.*archive, file:\/\/.*offsite/,
    );
    expect(deletion!.seq).toBeGreaterThan(Math.max(...replications.map((e) => e.seq)));
    expect(station.pipeline.store.pages('KEEP-1')).toHaveLength(2);

    const report = await station.pipeline.verify();
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ ok: true, pages: 2 });
    // Nothing is sent from a pruned copy.
    await expect(
      station.transfer.run({
        batchId: 'KEEP-1',
        packageDir: station.layout.batchPackage('KEEP-1'),
        destination: 'archive',
        person: 'x',
      }),
    ).rejects.toThrow(/was pruned after verified replication/);
  }, 180_000);

  it('keeps superseded captures, which no destination holds', async () => {
    await start([{ name: 'archive' }]);
    await batch('KEEP-2', ['archive']);
    // As a recapture leaves it: the earlier capture moved aside (a "filename change" event).
    const aside = path.join(station.layout.batchStaging('KEEP-2'), 'superseded', '1');
    mkdirSync(aside, { recursive: true });
    writeFileSync(path.join(aside, 'page-0001.tif'), 'an earlier capture');
    const result = await station.transfer.retention.prune('KEEP-2', supervisor);
    expect(result).toMatchObject({ pruned: true });
    expect(readdirSync(station.layout.batchStaging('KEEP-2'))).toEqual(['superseded']);
    expect(localCopy('KEEP-2')).toEqual({ package: false, masters: false });
    expect(events('KEEP-2', 'deletion')).toMatchObject([{ agents: { person: 'sam' } }]);
    expect((await station.pipeline.verify({ batchId: 'KEEP-2' })).findings).toEqual([]);
  }, 180_000);

  it('refuses to prune before verification at every destination, and to anyone but a supervisor', async () => {
    await start([
      { name: 'archive' },
      { name: 'unmounted', missing: true },
      { name: 'sampled', verify: 'sample' },
    ]);
    expect(() => station.transfer.retention.setPolicy(operator, { keep: 'until-verified' })).toThrow(
      /only a supervisor may change how long staging copies are kept; olive is an operator/,
    );
    expect(station.transfer.retention.policy()).toEqual({ keep: 'always' });
    station.transfer.retention.setPolicy(supervisor, { keep: 'until-verified' });

    // Verified at one destination, failed at the other: the copy stays.
    const jobs = await batch('HOLD-1', ['archive', 'unmounted']);
    expect(jobs.map((j) => j.state).sort()).toEqual(['completed', 'quarantined']);
    expect(localCopy('HOLD-1')).toEqual({ package: true, masters: true });
    await expect(station.transfer.retention.prune('HOLD-1', supervisor)).rejects.toThrow(
      /nothing pruned: batch HOLD-1 is not yet verified at unmounted \(failed\)/,
    );
    await expect(station.transfer.retention.prune('HOLD-1', operator)).rejects.toThrow(/only a supervisor/);
    expect(await station.transfer.retention.sweep()).not.toContainEqual(
      expect.objectContaining({ batchId: 'HOLD-1', pruned: true }),
    );
    expect(localCopy('HOLD-1')).toEqual({ package: true, masters: true });
    expect(events('HOLD-1', 'deletion')).toEqual([]);

    // A sample leaves most payload files checked by size only: not enough to let the copy go.
    await batch('HOLD-2', ['sampled']);
    expect(localCopy('HOLD-2')).toEqual({ package: true, masters: true });
    await expect(station.transfer.retention.prune('HOLD-2', supervisor)).rejects.toThrow(
      /verified by sample only/,
    );
    expect((await station.pipeline.verify()).findings).toEqual([]);
  }, 240_000);

  it('keeps the copy N days after the last verification, by the clock', async () => {
    await start([{ name: 'archive' }]);
    station.transfer.retention.setPolicy(supervisor, { keep: 'days', days: 7 });
    await batch('DAYS-1', ['archive']);
    expect(await station.transfer.retention.sweep()).toEqual([
      { batchId: 'DAYS-1', pruned: false, reason: 'not due (kept 7 day(s) after verified transfer)' },
    ]);
    clock.offset = 6 * DAY;
    expect((await station.transfer.retention.sweep())[0]).toMatchObject({ pruned: false });
    expect(localCopy('DAYS-1')).toEqual({ package: true, masters: true });
    clock.offset = 7 * DAY + 60_000;
    expect(await station.transfer.retention.sweep()).toEqual([
      { batchId: 'DAYS-1', pruned: true, reason: null },
    ]);
    expect(localCopy('DAYS-1')).toEqual({ package: false, masters: false });
    expect((await station.pipeline.verify()).findings).toEqual([]);
    // Done once: the next sweep finds nothing to do.
    expect(await station.transfer.retention.sweep()).toEqual([]);
  }, 180_000);

  it('still flags pages that vanished without a verified replication', async () => {
    await start([{ name: 'archive' }]);
    // Kept always: the transfer verifies, nothing is pruned; then the files vanish by hand.
    await batch('LOST-1', ['archive']);
    rmSync(station.layout.batchPackage('LOST-1'), { recursive: true });
    rmSync(station.layout.batchMasters('LOST-1'), { recursive: true });
    const lost = await station.pipeline.verify({ batchId: 'LOST-1' });
    expect(lost.findings.map((f) => f.code).sort()).toEqual([
      'MASTER_MISSING',
      'MASTER_MISSING',
      'PACKAGE_MISSING',
    ]);

    // A deletion event with no verified replication before it explains nothing.
    await station.pipeline.create(
      exampleManifest({ batch_id: 'LOST-2', expected_pages: 2, file_count: 2, transfer_to: [] }),
      null,
    );
    await untilBatch(station, 'LOST-2');
    station.audit.record({
      type: 'deletion',
      outcome: 'success',
      detail: 'local copy pruned after verified replication to nowhere (forged)',
      object: 'LOST-2',
      person: 'system',
    });
    rmSync(station.layout.batchMasters('LOST-2'), { recursive: true });
    const forged = await station.pipeline.verify({ batchId: 'LOST-2' });
    expect(forged.findings.map((f) => f.code).sort()).toEqual([
      'MASTER_MISSING',
      'MASTER_MISSING',
      'PRUNED_WITHOUT_REPLICATION',
    ]);
    expect(station.transfer.retention.eligibility('LOST-2')).toEqual({
      ok: false,
      reason: 'batch LOST-2 has not been sent to any destination',
    });
  }, 180_000);
});
