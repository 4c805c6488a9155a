// Runs in its own process so its peak RSS is the capturing process's alone.
import { readFileSync } from 'node:fs';
import { ScanLinkDevice } from '../../electron/scanner/scanlink/scanlink-device';

const [port, pages, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];
const device = new ScanLinkDevice({
  config: { name: 'bench', host: '127.0.0.1', port, profile: { dpi: 600, mode: 'color', bitDepth: 8 } },
  readyTimeoutMs: 60_000,
});
/**
 * This process's own peak RSS. On Linux getrusage's maxrss survives exec and so includes the
 * parent's memory at fork time (here, the simulator's rendered pages); VmHWM starts afresh.
 */
function peakRssKb(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return hwm ? Number(hwm) : process.resourceUsage().maxRSS;
}

async function main() {
  device.connect();
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const result = await device.capture({
    jobId: 'BENCH',
    pages,
    dpi: 600,
    mode: 'color',
    bitDepth: 8,
    mastersDir: out,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // All of this process's threads (libuv's pool does the writes and fsyncs, OpenSSL the hashing
  // on the main thread): the CPU the capture itself cost.
  const cpu = process.cpuUsage(cpuBefore);
  device.disconnect();
  const bytes = result.pages.reduce((n, p) => n + p.bytes, 0);
  process.stdout.write(
    JSON.stringify({
      status: result.status,
      pages: result.pages.length,
      bytes,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssKb: peakRssKb(),
    }) + '\n',
  );
  process.exit(0);
}
void main();
