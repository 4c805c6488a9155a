// A station killed (SIGKILL) while it applies a supervisor's decision has decided all of it or
// nothing: killed before the commit, the batch is still quarantined with its pages, nothing
// recorded; killed after it, the decision is recorded once and the batch goes on at restart.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '../../../shared/contract/index';
import { silentLogger } from '../../../electron/core/logger';
import { createStation, type Station } from '../../../electron/station';
import { untilBatch } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';

const SUPERVISOR: SessionUser = { id: 'sv', username: 'sofia', displayName: 'Sofia', role: 'supervisor' };

/** Runs the crash station until it dies; resolves with how it ended and what it printed. */
function runUntilKilled(dataDir: string, stopAt: 'before-commit' | 'after-commit') {
  return new Promise<{ signal: NodeJS.Signals | null; code: number | null; out: string; err: string }>(
    (resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/helpers/decision-crash-station.ts', dataDir],
        {
          env: { ...process.env, QUIRE_TEST_STOP_IN_DECISION: stopAt },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('exit', (code, signal) => resolve({ code, signal, out, err }));
    },
  );
}

describe('a station killed in the middle of a decision', () => {
  let station: Station | null = null;
  const dirs: { cleanup: () => void }[] = [];
  afterEach(async () => {
    await station?.close();
    station = null;
    dirs.splice(0).forEach((d) => d.cleanup());
  });

  const reopen = async (dataDir: string) =>
    (station = await createStation({ dataDir, logger: silentLogger(), runWorkers: true, simulators: 1 }));

  const events = (s: Station, type: string) =>
    s.audit.since(0, 100_000).filter((e) => e.object.startsWith('CRASH-1') && e.type === type);

  it('killed before the commit: still quarantined with every page, no decision, and it can be decided again', async () => {
    const dir = makeTempDir('quire-decision-crash-');
    dirs.push(dir);
    const run = await runUntilKilled(dir.path, 'before-commit');
    expect(run.out, run.err).toContain('"quarantined":"CRASH-1"');
    expect(run.out).not.toContain('decided');
    expect(run.signal).toBe('SIGKILL');

    const s = await reopen(dir.path);
    const detail = s.pipeline.store.detail('CRASH-1')!;
    expect(detail.stage).toBe('quarantined');
    expect(detail.decisions).toEqual([]);
    expect(events(s, 'unquarantine')).toEqual([]);
    expect(existsSync(path.join(s.layout.batchStaging('CRASH-1'), 'superseded'))).toBe(false);
    expect((await s.pipeline.verify()).ok).toBe(true);

    const done = untilBatch(s, 'CRASH-1', 'completed');
    await s.pipeline.decide(SUPERVISOR, {
      batchId: 'CRASH-1',
      decision: 'requeue',
      pages: [1, 2],
      reason: s.settings.get().quarantineReasons[0]!,
      note: 'again',
    });
    await done;
    expect(s.pipeline.store.detail('CRASH-1')!.decisions).toHaveLength(1);
    expect((await s.pipeline.verify()).ok).toBe(true);
  });

  it('killed after the commit: the decision is recorded once and the batch finishes after the restart', async () => {
    const dir = makeTempDir('quire-decision-crash-');
    dirs.push(dir);
    const run = await runUntilKilled(dir.path, 'after-commit');
    expect(run.out, run.err).toContain('"quarantined":"CRASH-1"');
    expect(run.signal).toBe('SIGKILL');

    const s = await reopen(dir.path);
    const batch = s.pipeline.store.summary('CRASH-1')!;
    const finished = batch.stage === 'completed' ? batch : await untilBatch(s, 'CRASH-1', 'completed');
    expect(finished.stage).toBe('completed');
    const detail = s.pipeline.store.detail('CRASH-1')!;
    expect(detail.decisions.map((d) => [d.decision, d.by, d.pages])).toEqual([['requeue', 'sofia', [1, 2]]]);
    expect(events(s, 'unquarantine')).toHaveLength(1);
    // The superseded page 1 is kept, moved aside (after the restart) where its one "filename
    // change" event says; page 2 had failed its checksum and was never recorded.
    const moves = events(s, 'filename change');
    expect(moves).toHaveLength(1);
    expect(moves[0]!.object).toBe('CRASH-1/masters/page-0001.tif');
    const aside = path.join(s.layout.batchStaging('CRASH-1'), 'superseded');
    expect(readdirSync(aside).flatMap((d) => readdirSync(path.join(aside, d)))).toContain('page-0001.tif');
    expect(moves[0]!.detail).toContain(readdirSync(aside)[0]!);
    expect(detail.pages.map((p) => p.page)).toEqual([1, 2, 3, 4]);
    expect((await s.pipeline.verify()).ok).toBe(true);
  });
});
