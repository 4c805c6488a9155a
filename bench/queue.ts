// npm run bench -- queue
// Durable jobs/s in one process: enqueue → lease → no-op handler → ack on SQLite WAL, with
// synchronous=NORMAL and =FULL. Every step is committed before the next one depends on it;
// steps of different jobs share commits (bursts of enqueues, acks with the next leases); against Celery 5 with a Redis
// broker on no-op tasks (Debian python3-celery, python3-redis, redis-server) in the same run,
// in alternating rounds (at least 3): the ratio is the median of the per-round ratios, with the spread.
// QUIRE_BENCH_SCALE shrinks the job counts.
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { systemClock } from '../electron/core/clock';
import { silentLogger } from '../electron/core/logger';
import { JobQueue } from '../electron/queue/sqlite/job-queue';
import { SqliteQueueStore } from '../electron/queue/sqlite/store';
import { openDatabase, type SynchronousMode } from '../electron/storage/index';
import { makeTempDir } from '../test/helpers/temp-dir';
import { recordConditions } from './support/conditions';
import { alternate, ratioFigures, ROUNDS, summary } from './support/rounds';

const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const jobs = Math.max(200, Math.round(20_000 * scale));
const celeryTasks = Math.max(200, Math.round(5_000 * scale));

async function quireJobsPerSecond(mode: SynchronousMode): Promise<number> {
  const dir = makeTempDir('quire-bench-queue-');
  const db = openDatabase(path.join(dir.path, 'quire.db'), { synchronous: mode });
  const store = new SqliteQueueStore(db);
  let completed = 0;
  let resolveAll!: () => void;
  const allDone = new Promise<void>((r) => (resolveAll = r));
  const queue = new JobQueue(store, systemClock, silentLogger(), (job) => {
    if (job.state === 'completed' && ++completed === jobs) resolveAll();
  });
  // The io queue with its default concurrency (8): the acks of jobs that finish together
  // share one commit, as do the leases of the jobs that take their places.
  queue.register('noop', {
    schema: z.object({ i: z.number() }),
    queue: 'io',
    handler: async () => undefined,
  });
  queue.start();
  const start = process.hrtime.bigint();
  // The producer enqueues bursts of 64 jobs, one commit each, and lets the workers run
  // alongside it between bursts, as in a station.
  for (let i = 0; i < jobs; i += 64) {
    const burst = Array.from({ length: Math.min(64, jobs - i) }, (_, k) => ({
      type: 'noop',
      payload: { i: i + k },
    }));
    queue.enqueueMany(burst);
    await new Promise((r) => setImmediate(r));
  }
  await allDone;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await queue.stop();
  db.close();
  dir.cleanup();
  return jobs / seconds;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function celeryTasksPerSecond(): Promise<{ value: number | null; reason?: string }> {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import celery, redis']);
  } catch {
    return { value: null, reason: 'Celery baseline needs Debian python3-celery and python3-redis' };
  }
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  try {
    await new Promise((r) => setTimeout(r, 500)); // redis-server has no readiness signal on stdout here
    const out = execFileSync(
      '/usr/bin/python3',
      [path.resolve('bench/queue/celery_baseline.py'), String(port), String(celeryTasks)],
      {
        encoding: 'utf8',
        timeout: 600_000,
      },
    );
    return {
      value: (JSON.parse(out.trim().split('\n').pop()!) as { tasksPerSecond: number }).tasksPerSecond,
    };
  } catch (error) {
    return { value: null, reason: `Celery baseline failed: ${(error as Error).message.slice(0, 200)}` };
  } finally {
    redis.kill();
  }
}

const conditions = await recordConditions();
// Rounds alternate: Quire (NORMAL, then FULL), then Celery, again and again; each round's
// ratio is its NORMAL figure against its Celery figure.
const rounds = await alternate(
  ROUNDS,
  async () => ({ normal: await quireJobsPerSecond('NORMAL'), full: await quireJobsPerSecond('FULL') }),
  () => celeryTasksPerSecond(),
);
const celery = rounds.baseline;
const celeryRan = celery.every((c) => c.value !== null);
console.log(
  JSON.stringify({
    bench: 'queue',
    measures: 'durable enqueue → lease → no-op → ack on SQLite WAL vs Celery 5 + Redis on no-op tasks',
    jobs,
    ...(celeryRan
      ? ratioFigures(
          rounds.quire.map((q, i) => q.normal / celery[i]!.value!),
          2,
        )
      : { ratio: null, rounds: ROUNDS }),
    goalRatio: 10,
    jobsPerSecondNormal: summary(
      rounds.quire.map((q) => q.normal),
      0,
    ),
    jobsPerSecondFull: summary(
      rounds.quire.map((q) => q.full),
      0,
    ),
    goalNormal: 10_000,
    goalFull: 2_000,
    celeryTasks,
    celeryTasksPerSecond: celeryRan
      ? summary(
          celery.map((c) => c.value!),
          0,
        )
      : null,
    ...(celeryRan ? {} : { baselineNote: celery.find((c) => c.reason)?.reason }),
    conditions: await conditions(),
  }),
);
