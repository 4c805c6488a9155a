// npm run bench -- catalog
// The command a user runs: `quire catalog sync --ids-file` through the built CLI (node
// dist/electron/cli.cjs, rebuilt first), 10,000 records from the CMS emulator, into a fresh
// data folder, timed from spawn to exit (process start, module loading, database migrations
// and the station's start-up check included). Against the seed's pipeline ../shared/baselines/
// seed_museum_ingest.py (httpx + semaphore + pydantic; fetch + validate only, it stores
// nothing) run the same way, /usr/bin/python3 from spawn to exit, on the same emulator.
// Rounds alternate (Quire, seed, Quire, seed, …); the ratio is the median of the per-round
// ratios of wall-clock times, with the spread. Also reported, to show where time goes: Quire's
// start-up and sync phases (from the run's own timestamps), the seed's self-timed loop (it
// leaves out its interpreter start), and CPU seconds per 10,000 records for both.
// The emulator runs in its own process (quire cms-emulator). QUIRE_BENCH_SCALE shrinks the count.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { recordConditions } from './support/conditions';
import { alternate, ratioFigures, round, ROUNDS, summary } from './support/rounds';
import { lastJsonLine, runTimed, type TimedRun } from './support/timed-process';

const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const count = Math.max(500, Math.round(10_000 * scale));
const work = path.resolve('bench/.work/catalog');
const cli = path.resolve('dist/electron/cli.cjs');
const seed = path.resolve('../shared/baselines/seed_museum_ingest.py');

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
process.stderr.write('building the CLI…\n');
execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
const idsFile = path.join(work, 'ids.txt');
const ids = Array.from({ length: count }, (_, i) => `OBJ-${String(i + 1).padStart(6, '0')}`);
writeFileSync(idsFile, ids.join('\n') + '\n');
writeFileSync(path.join(work, 'warm-ids.txt'), ids.slice(0, 500).join('\n') + '\n');

const emulator = spawn(process.execPath, [cli, 'cms-emulator', '--count', String(count)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  emulator.stdout.once('data', (chunk: Buffer) =>
    resolve((JSON.parse(chunk.toString()) as { url: string }).url),
  );
  emulator.once('exit', () => reject(new Error('the emulator did not start')));
});

interface SyncRunLine {
  state: string;
  upserted: number;
  deadLetters: number;
  startedAt: string;
  finishedAt: string;
}

async function quireSync(file: string, expected: number): Promise<TimedRun & { run: SyncRunLine }> {
  const data = path.join(work, 'data');
  rmSync(data, { recursive: true, force: true });
  const timed = await runTimed(process.execPath, [
    cli,
    'catalog',
    'sync',
    '--data',
    data,
    '--api-base',
    url,
    '--ids-file',
    file,
  ]);
  const run = lastJsonLine<SyncRunLine>(timed.stdout);
  if (run.state !== 'completed' || run.upserted !== expected || run.deadLetters !== 0)
    throw new Error(`quire catalog sync ended ${timed.stdout.trim().split('\n').pop()}`);
  rmSync(data, { recursive: true, force: true });
  return { ...timed, run };
}

async function seedPipeline(): Promise<TimedRun & { loopRecordsPerSecond: number }> {
  const timed = await runTimed('/usr/bin/python3', [seed, '--api-base', url, '--count', String(count)]);
  const line = lastJsonLine<{ valid: number; records_per_s: number }>(timed.stdout);
  if (line.valid !== count) throw new Error(`the seed pipeline validated ${line.valid} of ${count}`);
  return { ...timed, loopRecordsPerSecond: line.records_per_s };
}

try {
  execFileSync('/usr/bin/python3', ['-c', 'import httpx, pydantic']);
} catch {
  emulator.kill();
  console.log(
    JSON.stringify({
      bench: 'catalog',
      records: count,
      ratio: null,
      baselineNote: 'the seed pipeline needs Debian python3-httpx and python3-pydantic (/usr/bin/python3)',
    }),
  );
  process.exit(1);
}

const conditions = await recordConditions();
// Untimed: the emulator's JIT and the page cache (node_modules, the interpreter) warm up once.
await quireSync(path.join(work, 'warm-ids.txt'), 500);
const rounds = await alternate(
  ROUNDS,
  () => quireSync(idsFile, count),
  () => seedPipeline(),
);
emulator.kill();
rmSync(work, { recursive: true, force: true });

const q = rounds.quire;
const b = rounds.baseline;
const perTenThousand = (cpu: number | null) => (cpu === null ? null : (cpu * 10_000) / count);
const startup = q.map((r) => (Date.parse(r.run.startedAt) - r.spawnedAtMs) / 1000);
const syncPhase = q.map((r) => (Date.parse(r.run.finishedAt) - Date.parse(r.run.startedAt)) / 1000);
const exitPhase = q.map((r) => (r.exitedAtMs - Date.parse(r.run.finishedAt)) / 1000);
const cpuOf = (runs: TimedRun[]) =>
  runs.every((r) => r.cpuSeconds !== null)
    ? summary(
        runs.map((r) => perTenThousand(r.cpuSeconds)!),
        2,
      )
    : null;
console.log(
  JSON.stringify({
    bench: 'catalog',
    measures: 'quire catalog sync (built CLI, spawn to exit) vs seed_museum_ingest.py (spawn to exit)',
    records: count,
    ...ratioFigures(
      q.map((r, i) => b[i]!.seconds / r.seconds),
      2,
    ),
    goalRatio: 10,
    minimumRatio: 5,
    quireRecordsPerSecond: summary(
      q.map((r) => count / r.seconds),
      0,
    ),
    seedRecordsPerSecond: summary(
      b.map((r) => count / r.seconds),
      0,
    ),
    quireStartupSeconds: summary(startup, 3),
    quireSyncSeconds: summary(syncPhase, 3),
    quireExitSeconds: summary(exitPhase, 3),
    seedLoopRecordsPerSecond: summary(
      b.map((r) => r.loopRecordsPerSecond),
      0,
    ),
    ratioSyncPhaseVsSeedLoop: round(
      summary(
        q.map((_, i) => count / syncPhase[i]! / b[i]!.loopRecordsPerSecond),
        2,
      ).median,
      2,
    ),
    quireCpuSecondsPer10k: cpuOf(q),
    seedCpuSecondsPer10k: cpuOf(b),
    quirePeakRssMB: Math.round(Math.max(...q.map((r) => r.maxRssKb ?? 0)) / 1024),
    conditions: await conditions(),
  }),
);
