// npm run bench -- capture
// A 2 GB job of ~100 MB pages (600 dpi A4 colour) from the ScanLink simulator over loopback,
// hashed, verified and fsynced page by page by the capturing process, against the same bytes
// copied raw from a loopback socket into a file by socat and synced (no framing, no hashing):
// the ceiling on this disk. Rounds alternate (Quire, raw, Quire, raw, …; QUIRE_BENCH_ROUNDS,
// at least 3); the ratio is the median of the per-round ratios of throughput, with the spread.
// Throughput on a shared virtual disk swings from round to round; CPU seconds per GB of the
// receiving side (Quire's capturing process; socat's receiver plus the sync) hardly do, and say
// what Quire's own work costs. QUIRE_BENCH_SCALE shrinks the job (0.05 → one page) for a smoke run.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { ScanLinkSimulator } from '../electron/scanner/simulator/simulator';
import { recordConditions, withCpuBusy } from './support/conditions';
import { alternate, ratioFigures, ROUNDS, summary } from './support/rounds';
import { lastJsonLine, runTimed } from './support/timed-process';

const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const pages = Math.max(1, Math.round(20 * scale));
const work = path.resolve('bench/.work/capture');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// Bundle the child so it runs on plain Node: no loader inflating the RSS we measure.
const child = path.join(work, 'capture-child.cjs');
await build({
  entryPoints: ['bench/capture/capture-child.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: child,
  packages: 'external',
  logLevel: 'error',
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Deletes a round's output and lets the disk settle, so one round's writeback is not the next's. */
function clearAndSync(target: string): void {
  rmSync(target, { recursive: true, force: true });
  execFileSync('sync');
}

interface Captured {
  status: string;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  maxRssKb: number;
}

const sim = new ScanLinkSimulator({ sheets: null, dataFrameBytes: 1024 * 1024 });
const port = await sim.start();
const masters = path.join(work, 'masters');
const captureOnce = async (): Promise<Captured & { senderCpuSeconds: number }> => {
  clearAndSync(masters);
  // The simulator (the sender) runs in this process, which does nothing else meanwhile.
  const senderBefore = process.cpuUsage();
  const run = await runTimed(process.execPath, [child, String(port), String(pages), masters]);
  const sender = process.cpuUsage(senderBefore);
  const result = lastJsonLine<Captured>(run.stdout);
  if (result.status !== 'complete') throw new Error(`capture ended ${result.status}`);
  return { ...result, senderCpuSeconds: (sender.user + sender.system) / 1e6 };
};

// Baseline: the same bytes, raw over loopback into a file, then synced. Receiver, sender and
// sync each run under GNU time, so the receiving side's CPU is socat's plus sync's.
const source = path.join(work, 'raw-source.bin');
const target = path.join(work, 'raw-target.bin');
const rawCopyOnce = async () => {
  clearAndSync(target);
  const rawPort = await freePort();
  const receiving = runTimed('socat', [
    '-u',
    `TCP-LISTEN:${rawPort},bind=127.0.0.1,reuseaddr`,
    `CREATE:${target}`,
  ]);
  await new Promise((r) => setTimeout(r, 300)); // socat has no readiness signal; this only orders the start
  const started = process.hrtime.bigint();
  const [receiver, sender] = await Promise.all([
    receiving,
    runTimed('socat', ['-u', `FILE:${source}`, `TCP:127.0.0.1:${rawPort}`]),
  ]);
  const synced = await runTimed('sync', [target]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const bytes = statSync(target).size;
  return {
    seconds,
    bytes,
    cpuSeconds: (receiver.cpuSeconds ?? NaN) + (synced.cpuSeconds ?? NaN),
    senderCpuSeconds: sender.cpuSeconds ?? NaN,
  };
};

// Untimed preparation: the simulator renders its pages (sharp), one full capture gives the
// raw copy its source file (the same bytes), and together they write the first 4 GB, which
// on the virtual disk this was tuned on go at about half speed whoever writes them.
process.stderr.write(`rendering simulator pages; preparing ${pages} pages for the raw copy…\n`);
await captureOnce();
const pageBytes = statSync(path.join(masters, 'page-0001.tif')).size;
{
  const out = createWriteStream(source);
  for (const f of readdirSync(masters).sort())
    await new Promise<void>((resolve, reject) =>
      createReadStream(path.join(masters, f))
        .on('end', resolve)
        .on('error', reject)
        .pipe(out, { end: false }),
    );
  await new Promise<void>((resolve) => out.end(resolve));
}
clearAndSync(masters);

const conditions = await recordConditions();
process.stderr.write(`${ROUNDS} rounds of ${pages} pages of ${(pageBytes / 1e6).toFixed(0)} MB each way…\n`);
const rounds = await alternate(
  ROUNDS,
  () => withCpuBusy(captureOnce),
  () => withCpuBusy(rawCopyOnce),
);
await sim.stop();
rmSync(work, { recursive: true, force: true });

const q = rounds.quire;
const b = rounds.baseline;
if (b.some((r, i) => r.bytes !== q[i]!.bytes)) throw new Error('the raw copy did not move the same bytes');
const gbps = (r: { bytes: number; seconds: number }) => r.bytes / r.seconds / 1e9;
const perGB = (cpu: number, bytes: number) => cpu / (bytes / 1e9);
console.log(
  JSON.stringify({
    bench: 'capture',
    measures: 'ScanLink capture (hash, verify, fsync per page) vs socat raw copy of the same bytes + sync',
    pages,
    bytes: q[0]!.bytes,
    ...ratioFigures(q.map((r, i) => gbps(r) / gbps(b[i]!))),
    goalRatio: 0.85,
    captureGBps: summary(q.map(gbps)),
    rawCopyGBps: summary(b.map(gbps)),
    captureCpuSecondsPerGB: summary(q.map((r) => perGB(r.cpuSeconds, r.bytes))),
    rawCopyCpuSecondsPerGB: summary(b.map((r) => perGB(r.cpuSeconds, r.bytes))),
    simulatorCpuSecondsPerGB: summary(q.map((r) => perGB(r.senderCpuSeconds, r.bytes))),
    socatSenderCpuSecondsPerGB: summary(b.map((r) => perGB(r.senderCpuSeconds, r.bytes))),
    // Share of both CPUs busy during the rounds, everything on the machine counted.
    cpuBusyPercentCapture: summary(
      q.map((r) => r.cpuBusyPercent),
      0,
    ),
    cpuBusyPercentRawCopy: summary(
      b.map((r) => r.cpuBusyPercent),
      0,
    ),
    peakRssMB: Math.round(Math.max(...q.map((r) => r.maxRssKb)) / 1024),
    goalPeakRssMB: 200,
    conditions: await conditions(),
  }),
);
