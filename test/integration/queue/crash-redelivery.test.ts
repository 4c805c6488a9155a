import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../electron/core/clock';
import { SqliteQueueStore } from '../../../electron/queue/sqlite/store';
import { openDatabase, type Db } from '../../../electron/storage/index';
import { makeTempDir } from '../../helpers/temp-dir';

const CHILD = path.resolve('test/integration/queue/fixtures/crash-worker.ts');

/** Runs the worker process; resolves with how it ended. With killAfter, SIGKILLs it after that many progress lines. */
function runWorker(
  dbPath: string,
  effects: string,
  killAfter: number | null,
): Promise<'killed' | 'done' | 'crashed'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, effects], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let progress = 0;
    let done = false;
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'all done') done = true;
        if (line.startsWith('progress') && killAfter !== null && ++progress === killAfter)
          child.kill('SIGKILL');
      }
    });
    child.on('close', (_code, signal) =>
      resolve(done ? 'done' : signal === 'SIGKILL' ? (killAfter === null ? 'crashed' : 'killed') : 'crashed'),
    );
  });
}

describe('crash test with real processes', () => {
  const dirs: ReturnType<typeof makeTempDir>[] = [];
  const dbs: Db[] = [];
  afterEach(() => {
    dbs.forEach((db) => db.close());
    dirs.forEach((d) => d.cleanup());
  });

  function setup() {
    const dir = makeTempDir('quire-crash-');
    dirs.push(dir);
    const dbPath = path.join(dir.path, 'quire.db');
    const effects = path.join(dir.path, 'effects.log');
    writeFileSync(effects, '');
    const db = openDatabase(dbPath);
    dbs.push(db);
    return { dbPath, effects, store: new SqliteQueueStore(db) };
  }

  it('2,000 jobs survive ten SIGKILLs: all complete, every effect present, none acknowledged twice', async () => {
    const { dbPath, effects, store } = setup();
    const now = systemClock.now();
    for (let n = 0; n < 2000; n++)
      store.insert({ queue: 'io', type: 'append', payload: { n }, maxAttempts: 20, availableAt: now }, now);

    const outcomes: string[] = [];
    for (let kill = 0; kill < 10; kill++)
      outcomes.push(await runWorker(dbPath, effects, 1 + Math.floor(Math.random() * 6)));
    let final = await runWorker(dbPath, effects, null);
    while (final !== 'done') final = await runWorker(dbPath, effects, null);

    expect(outcomes.filter((o) => o === 'killed').length).toBeGreaterThanOrEqual(9);
    const jobs = store.list({ limit: 5000 });
    expect(jobs.total).toBe(2000);
    expect(jobs.items.every((j) => j.state === 'completed')).toBe(true);
    const acked = store.ackCounts();
    expect([...acked.values()].every((n) => n === 1)).toBe(true);
    // At-least-once effects: a kill between the effect and its ack repeats the effect, so real
    // handlers are idempotent by job id. Every effect must be there.
    const written = new Set(readFileSync(effects, 'utf8').split('\n').filter(Boolean));
    for (const job of jobs.items) expect(written.has(job.id)).toBe(true);
  });

  it('a handler that always kills its worker ends in quarantine after the attempt cap', async () => {
    const { dbPath, effects, store } = setup();
    const now = systemClock.now();
    const poison = store.insert(
      { queue: 'default', type: 'crash', payload: {}, maxAttempts: 3, availableAt: now },
      now,
    ).job;
    const runs: string[] = [];
    for (let i = 0; i < 6 && runs.at(-1) !== 'done'; i++) runs.push(await runWorker(dbPath, effects, null));
    expect(runs).toEqual(['crashed', 'crashed', 'crashed', 'done']);
    expect(store.get(poison.id)).toMatchObject({ state: 'quarantined', attempts: 3 });
    expect(store.attempts(poison.id).map((a) => a.outcome)).toEqual(['lost', 'lost', 'lost']);
  });
});
