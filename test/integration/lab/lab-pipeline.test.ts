import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../electron/core/clock';
import { silentLogger } from '../../../electron/core/logger';
import { createBullmqTaskQueue } from '../../../electron/queue/bullmq/engine';
import type { JobRecord } from '../../../electron/queue/queue';
import { runCli } from '../../helpers/cli';
import { exampleManifest } from '../../helpers/manifest';
import { redisServerBinary, startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { makeTempDir } from '../../helpers/temp-dir';

const binary = redisServerBinary();
if (binary.path === null) console.warn(`[lab pipeline] skipped: ${binary.reason}`);

type Child = ReturnType<typeof runCli>['child'];

/** Resolves with the first JSON line the process prints (a long-running command's "ready"). */
function firstJsonLine(child: Child): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('close', (code) => reject(new Error(`exited with ${code} before printing: ${buffer}`)));
  });
}

/** Resolves with the first stderr line matching the pattern. */
function stderrLine(child: Child, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        const match = pattern.exec(line);
        if (match) return resolve(match);
      }
    });
    child.once('close', (code) => reject(new Error(`exited with ${code} before ${pattern}: ${buffer}`)));
  });
}

const exited = (child: Child) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('a lab of two stations and a worker on one Redis and one storage folder', () => {
  let redis: RedisServer | null = null;
  const dir = makeTempDir('quire-lab-pipeline-');
  const children: Child[] = [];
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await redis?.stop();
    dir.cleanup();
  });

  it.skipIf(binary.path === null)(
    "spreads a batch's page work over the lab; a worker killed holding a derivatives page loses nothing, and the origin records every page once",
    async () => {
      redis = await startRedisServer();
      const storage = path.join(dir.path, 'lab-share');
      mkdirSync(storage);
      const lab = (station: string) => [
        '--lab',
        redis!.url,
        '--station',
        station,
        '--lab-storage',
        storage,
        '--data',
        path.join(dir.path, station),
      ];
      // A short lock, so the killed worker's jobs come back in seconds rather than minutes.
      const env = { QUIRE_LAB_LOCK_MS: '2000' };
      const start = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
        const run = runCli(args, { ...env, ...extra });
        children.push(run.child);
        return run;
      };

      // The worker takes every page job first, and holds the first derivatives pages it finishes.
      const worker = start(['worker', ...lab('spare-pc')], { QUIRE_TEST_HOLD_PAGE_JOB: 'page.derivatives' });
      await firstJsonLine(worker.child);
      const held = stderrLine(worker.child, /^test hold: page\.derivatives page (\d+)/);

      // Station A scans the batch; it consumes no compute jobs itself, so its pages go to the lab.
      const manifestFile = path.join(dir.path, 'manifest.json');
      writeFileSync(
        manifestFile,
        JSON.stringify(exampleManifest({ batch_id: 'LAB-1', expected_pages: 6, file_count: 6 })),
      );
      const origin = start(['batch', 'run', manifestFile, ...lab('desk-a'), '--queues', 'default,io']);

      const endedFirst = origin.done.then((r) => {
        throw new Error(`the batch run ended before the worker held a page: ${r.stdout}${r.stderr}`);
      });
      const heldPage = Number((await Promise.race([held, endedFirst]))[1]);
      const staging = path.join(storage, 'stations', 'desk-a', 'staging', 'LAB-1');
      const name = `page-${String(heldPage).padStart(4, '0')}`;
      const thumbnail = path.join(staging, 'derivatives', 'thumbnails', `${name}.jpg`);
      const sidecar = path.join(staging, 'metadata', `${name}.xmp`);
      const written = { thumbnail: sha256(thumbnail), sidecar: sha256(sidecar) };

      // Station B joins the lab, and the worker dies holding its jobs.
      const second = start(['serve', ...lab('desk-b'), '--simulators', '0', '--escl-simulators', '0']);
      await firstJsonLine(second.child);
      worker.child.kill('SIGKILL');
      await exited(worker.child);

      const run = await origin.done;
      expect(run.json).toMatchObject({ batch: 'LAB-1', outcome: 'completed', pages: 6 });
      expect(run.code).toBe(0);
      expect(String(run.json!.package)).toBe(path.join(storage, 'stations', 'desk-a', 'packages', 'LAB-1'));
      // The held page's files were written again by another process: the same files.
      expect({ thumbnail: sha256(thumbnail), sidecar: sha256(sidecar) }).toEqual(written);

      // Every page's work ran exactly once to completion, and some of it on station B.
      const observer = await createBullmqTaskQueue({
        url: redis.url,
        station: 'observer',
        clock: systemClock,
        logger: silentLogger(),
        onChange: () => {},
        consumes: () => false,
      });
      let pageJobs: JobRecord[];
      try {
        pageJobs = (await observer.list({ queue: 'compute', limit: 1000 })).items;
      } finally {
        await observer.close();
      }
      const of = (type: string) => pageJobs.filter((j) => j.type === type);
      const pagesOf = (jobs: JobRecord[]) => jobs.map((j) => (j.payload as { page: number }).page).sort();
      for (const type of ['page.inspect', 'page.derivatives']) {
        expect(of(type).every((j) => j.state === 'completed')).toBe(true);
        expect(pagesOf(of(type))).toEqual([1, 2, 3, 4, 5, 6]);
      }
      expect(of('page.inspect').every((j) => j.worker === 'spare-pc')).toBe(true);
      const heldJob = of('page.derivatives').find((j) => (j.payload as { page: number }).page === heldPage)!;
      expect(heldJob.worker).toBe('desk-b');
      expect(of('page.derivatives').filter((j) => j.worker === 'desk-b').length).toBeGreaterThanOrEqual(1);
      // Relative paths only: no job names a station's own folder.
      expect(JSON.stringify(pageJobs.map((j) => j.payload))).not.toContain(dir.path);

      second.child.kill('SIGTERM');
      expect((await second.done).code).toBe(0);

      // The origin station's records: consistent, and each PREMIS event written once.
      const verify = await runCli(['verify', '--data', path.join(dir.path, 'desk-a')]).done;
      expect(verify.json).toMatchObject({ ok: true });
      expect(verify.code).toBe(0);
      const db = new Database(path.join(dir.path, 'desk-a', 'quire.db'), { readonly: true });
      try {
        const events = db
          .prepare(`SELECT type, object, outcome, detail FROM audit_events WHERE object LIKE 'LAB-1%'`)
          .all() as { type: string; object: string; outcome: string; detail: string }[];
        const keys = events.map((e) => JSON.stringify(e));
        expect(new Set(keys).size).toBe(keys.length);
        expect(events.filter((e) => e.type === 'capture' && e.object.includes('/masters/'))).toHaveLength(6);
        expect(events.filter((e) => e.type === 'validation' && /image QC/.test(e.detail))).toHaveLength(1);
        expect(events.filter((e) => e.type === 'information package creation')).toHaveLength(1);
      } finally {
        db.close();
      }
    },
    240_000,
  );
});
