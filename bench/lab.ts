// npm run bench -- lab
// Jobs/s through the BullMQ engine (lab mode) on one Redis: a producer process enqueues no-op
// jobs in bursts (enqueueMany, one MULTI per 64 jobs) while 1, then 3, worker processes run them,
// each with the io queue's concurrency; against Celery 5 on the same Redis with no-op tasks (the
// queue bench's baseline, bench/queue/celery_baseline.py) in the same run, in alternating rounds.
// As a reference, BullMQ on its own (bench/lab/bullmq-alone.ts) on the same jobs with one worker
// process: how much of BullMQ's speed Quire's engine keeps. Quire's processes run bundled as the
// product ships (support/bench-bundle.ts). Also the Redis round trips per job (request batches
// Redis read from all clients but the bench's probe), which decide throughput once Redis is
// across a network, and the commands per job. QUIRE_BENCH_SCALE shrinks the job counts.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../test/helpers/redis-server';
import { bundleForBench } from './support/bench-bundle';
import { recordConditions } from './support/conditions';
import { alternate, ratioFigures, ROUNDS, summary } from './support/rounds';

const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const jobs = Math.max(200, Math.round(10_000 * scale));
const celeryTasks = Math.max(200, Math.round(5_000 * scale));

/** Quire's engine, or BullMQ on its own. */
type Side = 'quire' | 'bullmq';

interface BenchChild {
  process: ChildProcess;
  /** The next line the child prints after "ready". */
  nextLine(): Promise<string>;
}

/** Runs a bundled entry with plain node (no loader of the bench's own); resolves once it prints "ready". */
async function startChild(file: string, args: string[]): Promise<BenchChild> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [file, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const next = await lines.next();
    if (next.done) throw new Error(`bench child ${path.basename(file)} ended (exit ${child.exitCode})`);
    return next.value;
  };
  const first = await nextLine();
  if (first !== 'ready') throw new Error(`bench child ${path.basename(file)} said: ${first}`);
  return { process: child, nextLine };
}

/**
 * Commands the clients send, each command of a MULTI or a pipeline counted on its own. INFO
 * commandstats also counts the commands BullMQ's Lua scripts run inside Redis, which cost no
 * round trip, so only these are summed.
 */
const CLIENT_COMMANDS = [
  'evalsha',
  'eval',
  'evalsha_ro',
  'exec',
  'bzpopmin',
  'bzpopmax',
  'brpoplpush',
  'blmove',
];

interface RedisCounters {
  commands: number;
  /** Reads of client requests by Redis: one per request batch a client sent and waits on. */
  reads: number;
}

async function counters(redis: Redis): Promise<RedisCounters> {
  const stats = await redis.info('commandstats');
  const commands = CLIENT_COMMANDS.reduce((sum, name) => {
    const m = new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats);
    return sum + (m ? Number(m[1]) : 0);
  }, 0);
  const reads = /total_reads_processed:(\d+)/.exec(await redis.info('stats'));
  return { commands, reads: Number(reads?.[1] ?? NaN) };
}

const startWorker = (side: Side, url: string, prefix: string, i: number) =>
  side === 'quire'
    ? startChild(bundle.file('quire-worker'), [url, prefix, `bench-${i}`])
    : startChild(bundle.file('bullmq-alone'), ['worker', url, prefix, `bench-${i}`]);

const startProducer = (side: Side, url: string, prefix: string) =>
  side === 'quire'
    ? startChild(bundle.file('quire-producer'), [url, prefix, String(jobs)])
    : startChild(bundle.file('bullmq-alone'), ['producer', url, prefix, String(jobs)]);

const exited = (child: ChildProcess) =>
  new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve),
  );

async function bullmqRound(side: Side, url: string, processes: number, round: number) {
  const prefix = `bench-${side}-${round}-${processes}`;
  const workers = await Promise.all(
    Array.from({ length: processes }, (_, i) => startWorker(side, url, prefix, i)),
  );
  const producer = await startProducer(side, url, prefix);
  const probe = new Redis(url);
  const before = await counters(probe);
  // The probe's own requests (its polls and the two INFO of the closing count) are not the round's.
  let probeRequests = 2;
  const start = process.hrtime.bigint();
  producer.process.stdin!.write('go\n');
  const { sentSeconds } = JSON.parse(await producer.nextLine()) as { sentSeconds: number };
  const doneWhenSent = Number(await probe.zcard(`${prefix}:io:completed`));
  probeRequests++;
  // Completion is read from Redis (a benchmark, not a test, may poll); ZCARD is not counted.
  for (;;) {
    const done = Number(await probe.zcard(`${prefix}:io:completed`));
    probeRequests++;
    if (done >= jobs) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const after = await counters(probe);
  workers.forEach((w) => w.process.kill('SIGTERM'));
  await Promise.all([...workers.map((w) => exited(w.process)), exited(producer.process)]);
  await probe.quit();
  return {
    jobsPerSecond: jobs / seconds,
    sentSeconds,
    doneWhenSent,
    drainJobsPerSecond: (jobs - doneWhenSent) / (seconds - sentSeconds),
    roundTripsPerJob: (after.reads - before.reads - probeRequests) / jobs,
    commandsPerJob: (after.commands - before.commands) / jobs,
  };
}

interface CeleryRun {
  value: number | null;
  /** The phases, as for Quire: while tasks were sent, and the worker alone after. */
  sentSeconds?: number;
  doneWhenSent?: number;
  drain?: number;
  reason?: string;
}

function celeryTasksPerSecond(port: number): CeleryRun {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import celery, redis']);
  } catch {
    return { value: null, reason: 'Celery baseline needs Debian python3-celery and python3-redis' };
  }
  try {
    const out = execFileSync(
      '/usr/bin/python3',
      [path.resolve('bench/queue/celery_baseline.py'), String(port), String(celeryTasks)],
      { encoding: 'utf8', timeout: 600_000 },
    );
    const run = JSON.parse(out.trim().split('\n').pop()!) as {
      tasksPerSecond: number;
      sentSeconds: number;
      doneWhenSent: number;
      drainTasksPerSecond: number;
    };
    return {
      value: run.tasksPerSecond,
      sentSeconds: run.sentSeconds,
      doneWhenSent: run.doneWhenSent,
      drain: run.drainTasksPerSecond,
    };
  } catch (error) {
    return { value: null, reason: `Celery baseline failed: ${(error as Error).message.slice(0, 200)}` };
  }
}

const conditions = await recordConditions();
const bundle = await bundleForBench({
  'quire-worker': 'bench/lab/worker-process.ts',
  'quire-producer': 'bench/lab/producer-process.ts',
  'bullmq-alone': 'bench/lab/bullmq-alone.ts',
});

let redis: RedisServer | null = null;
let rounds;
try {
  const server = (redis = await startRedisServer());
  rounds = await alternate(
    ROUNDS,
    async (round) => ({
      one: await bullmqRound('quire', server.url, 1, round),
      alone: await bullmqRound('bullmq', server.url, 1, round),
      three: await bullmqRound('quire', server.url, 3, round),
    }),
    async () => celeryTasksPerSecond(server.port),
  );
} finally {
  await redis?.stop();
  bundle.remove();
}
const celery = rounds.baseline;
/** Median and spread over the rounds of a figure of Quire's, or of Celery's. */
type BullmqRound = Awaited<ReturnType<typeof bullmqRound>>;
const ofRounds = (
  pick: (q: { one: BullmqRound; alone: BullmqRound; three: BullmqRound }, i: number) => number,
  digits: number,
) => summary(rounds.quire.map(pick), digits);
const ofCelery = (pick: (c: CeleryRun) => number, digits: number) => summary(celery.map(pick), digits);
const celeryRan = celery.every((c) => c.value !== null);
console.log(
  JSON.stringify({
    bench: 'lab',
    measures:
      "BullMQ engine: enqueueMany (bursts of 64, one MULTI each) → no-op → completed on one Redis (noeviction, AOF), 1 and 3 worker processes with the io queue's concurrency, vs Celery 5 + the same Redis on no-op tasks. Reference: BullMQ alone (Queue.addBulk and a bare Worker) on the same jobs, one worker process. Quire's processes run bundled as shipped. Round trips: request batches Redis read from the producer and workers; commands: each command of a MULTI or pipeline counted",
    jobs,
    ...(celeryRan
      ? ratioFigures(
          rounds.quire.map((q, i) => q.one.jobsPerSecond / celery[i]!.value!),
          2,
        )
      : { ratio: null, rounds: ROUNDS }),
    goalRatio: 5,
    jobsPerSecondOneProcess: ofRounds((q) => q.one.jobsPerSecond, 0),
    jobsPerSecondThreeProcesses: ofRounds((q) => q.three.jobsPerSecond, 0),
    // BullMQ on its own, one worker process: what the library does on this machine, and the
    // share of it Quire's engine keeps (each within its round).
    bullmqAloneJobsPerSecond: ofRounds((q) => q.alone.jobsPerSecond, 0),
    ...(celeryRan
      ? { bullmqAloneOverCelery: ofRounds((q, i) => q.alone.jobsPerSecond / celery[i]!.value!, 2) }
      : {}),
    quireOverBullmqAlone: ofRounds((q) => q.one.jobsPerSecond / q.alone.jobsPerSecond, 2),
    bullmqAloneRoundTripsPerJob: ofRounds((q) => q.alone.roundTripsPerJob, 2),
    threeOverOne: ofRounds((q) => q.three.jobsPerSecond / q.one.jobsPerSecond, 2),
    redisRoundTripsPerJob: ofRounds((q) => q.one.roundTripsPerJob, 2),
    redisRoundTripsPerJobThreeProcesses: ofRounds((q) => q.three.roundTripsPerJob, 2),
    redisCommandsPerJob: ofRounds((q) => q.one.commandsPerJob, 2),
    // The two phases of the one-process rounds. While the producer sends, it, Redis and the
    // worker share the 2 cores; after, the worker drains the rest alone. Celery's are the same
    // split of its run (its producer sends one task per call, each its own round trip).
    sendingSecondsOneProcess: ofRounds((q) => q.one.sentSeconds, 2),
    doneWhileSendingOneProcess: ofRounds((q) => q.one.doneWhenSent, 0),
    drainJobsPerSecondOneProcess: ofRounds((q) => q.one.drainJobsPerSecond, 0),
    ...(celeryRan
      ? {
          drainRatioOneProcess: ofRounds((q, i) => q.one.drainJobsPerSecond / celery[i]!.drain!, 2),
          celerySendingSeconds: ofCelery((c) => c.sentSeconds!, 2),
          celeryDoneWhileSending: ofCelery((c) => c.doneWhenSent!, 0),
          celeryDrainTasksPerSecond: ofCelery((c) => c.drain!, 0),
        }
      : {}),
    celeryTasks,
    celeryTasksPerSecond: celeryRan ? ofCelery((c) => c.value!, 0) : null,
    ...(celeryRan ? {} : { baselineNote: celery.find((c) => c.reason)?.reason }),
    conditions: await conditions(),
  }),
);
