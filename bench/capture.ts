// npm run bench -- capture
// A 2 GB job of ~100 MB pages (600 dpi A4 colour) from the ScanLink simulator over loopback,
// hashed, verified and fsynced page by page by the capturing process, against the same bytes
// copied raw from a loopback socket into a file by socat and synced (no framing, no hashing):
// the ceiling on this disk. Rounds alternate (Quire, raw, Quire, raw, …; QUIRE_BENCH_ROUNDS,
// at least 3); the ratio is the median of the per-round ratios of throughput, with the spread.
// Throughput on a shared virtual disk swings from round to round; CPU seconds per GB of the
// receiving side (Quire's capturing process; socat's receiver plus the sync) hardly do, and say
// what Quire's own work costs. QUIRE_BENCH_SCALE shrinks the job (0.05 → one page) for a smoke run.
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ScanLinkSimulator } from '../electron/scanner/simulator/simulator';
import { recordConditions, withCpuBusy } from './support/conditions';
import { bundleChild, captureFigures, captureInChild, clearAndSync } from './support/capture-rounds';
import { alternate, ROUNDS } from './support/rounds';
import { runTimed } from './support/timed-process';

const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const pages = Math.max(1, Math.round(20 * scale));
const work = path.resolve('bench/.work/capture');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const child = await bundleChild('bench/capture/capture-child.ts', work);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sim = new ScanLinkSimulator({ sheets: null, dataFrameBytes: 1024 * 1024 });
const port = await sim.start();
const masters = path.join(work, 'masters');
const captureOnce = () => captureInChild(child, [String(port), String(pages)], masters, pages);

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

console.log(
  JSON.stringify({
    bench: 'capture',
    measures: 'ScanLink capture (hash, verify, fsync per page) vs socat raw copy of the same bytes + sync',
    pages,
    ...captureFigures(rounds.quire, rounds.baseline, 'rawCopy'),
    conditions: await conditions(),
  }),
);
