// The capture children's side (bench/capture/capture-child.ts, bench/escl/escl-child.ts): one
// capture, timed and measured from inside its own process, printed as one JSON line.
import { readFileSync } from 'node:fs';
import type { CaptureResult } from '../../electron/scanner/device';

/**
 * This process's own peak RSS. On Linux getrusage's maxrss survives exec and so includes the
 * parent's memory at fork time (the simulator's rendered pages); VmHWM starts afresh.
 */
function peakRssKb(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return hwm ? Number(hwm) : process.resourceUsage().maxRSS;
}

/**
 * Runs the capture, then prints status, pages, bytes, seconds, the CPU seconds of all of this
 * process's threads (libuv's pool does the writes and fsyncs, OpenSSL the hashing on the main
 * thread) and the peak RSS, and exits.
 */
export async function reportCapture(
  capture: () => Promise<CaptureResult>,
  close: () => Promise<void> | void,
) {
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const result = await capture();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  await close();
  process.stdout.write(
    JSON.stringify({
      status: result.status,
      error: result.error,
      pages: result.pages.length,
      bytes: result.pages.reduce((n, p) => n + p.bytes, 0),
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssKb: peakRssKb(),
    }) + '\n',
  );
  process.exit(0);
}
