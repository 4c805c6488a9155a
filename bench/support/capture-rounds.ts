// What the capture benches (ScanLink: bench/capture.ts, eSCL: bench/escl.ts) share: the child
// that captures runs bundled on plain Node, each round starts from a synced, empty disk, and the
// report compares Quire's rounds with the raw transfer of the same bytes the same way.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { ratioFigures, summary } from './rounds';
import { lastJsonLine, runTimed } from './timed-process';

/** Bundles a capture child so it runs on plain Node: no loader inflating the RSS measured. */
export async function bundleChild(entry: string, work: string): Promise<string> {
  const outfile = path.join(work, `${path.basename(entry, '.ts')}.cjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
}

/** Deletes a round's output and lets the disk settle, so one round's writeback is not the next's. */
export function clearAndSync(target: string): void {
  rmSync(target, { recursive: true, force: true });
  execFileSync('sync');
}

/** One round of either side: bytes moved, wall-clock and the receiving side's CPU seconds. */
export interface TransferRound {
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  /** The sending side's CPU seconds (the simulator, or the raw sender). */
  senderCpuSeconds: number;
  cpuBusyPercent: number;
}

/**
 * The figures both capture benches report: the median ratio of throughput per round with its
 * spread, throughput and CPU seconds per GB of each side, how busy the machine was, and the
 * capturing process's peak RSS. `baseline` names the raw side in the field names.
 */
export function captureFigures(
  quire: (TransferRound & { maxRssKb: number })[],
  raw: TransferRound[],
  baseline: 'rawCopy' | 'rawFetch',
) {
  if (raw.some((r, i) => r.bytes !== quire[i]!.bytes))
    throw new Error(
      `the raw side did not move the same bytes: ${raw.map((r) => r.bytes)} vs ${quire.map((r) => r.bytes)}`,
    );
  const gbps = (r: TransferRound) => r.bytes / r.seconds / 1e9;
  const perGB = (cpu: number, bytes: number) => cpu / (bytes / 1e9);
  return {
    bytes: quire[0]!.bytes,
    ...ratioFigures(quire.map((r, i) => gbps(r) / gbps(raw[i]!))),
    goalRatio: 0.85,
    captureGBps: summary(quire.map(gbps)),
    [`${baseline}GBps`]: summary(raw.map(gbps)),
    captureCpuSecondsPerGB: summary(quire.map((r) => perGB(r.cpuSeconds, r.bytes))),
    [`${baseline}CpuSecondsPerGB`]: summary(raw.map((r) => perGB(r.cpuSeconds, r.bytes))),
    simulatorCpuSecondsPerGB: summary(quire.map((r) => perGB(r.senderCpuSeconds, r.bytes))),
    [`${baseline}SenderCpuSecondsPerGB`]: summary(raw.map((r) => perGB(r.senderCpuSeconds, r.bytes))),
    // Share of both CPUs busy during the rounds, everything on the machine counted.
    cpuBusyPercentCapture: summary(
      quire.map((r) => r.cpuBusyPercent),
      0,
    ),
    [`cpuBusyPercent${baseline[0]!.toUpperCase()}${baseline.slice(1)}`]: summary(
      raw.map((r) => r.cpuBusyPercent),
      0,
    ),
    peakRssMB: Math.round(Math.max(...quire.map((r) => r.maxRssKb)) / 1024),
    goalPeakRssMB: 200,
  };
}

/** What a capture child prints (bench/support/capture-child-report.ts). */
interface ChildCapture {
  status: string;
  error: unknown;
  pages: number;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  maxRssKb: number;
}

/**
 * One Quire round: the bundled child captures `pages` pages into `masters` (emptied and synced
 * first) while this process, doing nothing else, serves them from its simulator.
 */
export async function captureInChild(child: string, args: string[], masters: string, pages: number) {
  clearAndSync(masters);
  const senderBefore = process.cpuUsage();
  const run = await runTimed(process.execPath, [child, ...args, masters]);
  const sender = process.cpuUsage(senderBefore);
  const result = lastJsonLine<ChildCapture>(run.stdout);
  if (result.status !== 'complete' || result.pages !== pages)
    throw new Error(
      `capture ended ${result.status} with ${result.pages} pages: ${JSON.stringify(result.error)}`,
    );
  return { ...result, senderCpuSeconds: (sender.user + sender.system) / 1e6 };
}
