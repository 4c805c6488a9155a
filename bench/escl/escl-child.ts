// Runs in its own process so its peak RSS is the capturing process's alone.
import { readFileSync } from 'node:fs';
import { EsclDevice } from '../../electron/scanner/escl/index';

const [url, pages, out] = [process.argv[2]!, Number(process.argv[3]), process.argv[4]!];
const device = new EsclDevice({
  name: 'bench',
  address: url,
  profile: { dpi: 600, mode: 'color', bitDepth: 8 },
});

/** This process's own peak RSS (VmHWM: getrusage's maxrss would include the parent's at fork). */
function peakRssKb(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return hwm ? Number(hwm) : process.resourceUsage().maxRSS;
}

async function main() {
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
  const cpu = process.cpuUsage(cpuBefore);
  await device.close();
  const bytes = result.pages.reduce((n, p) => n + p.bytes, 0);
  process.stdout.write(
    JSON.stringify({
      status: result.status,
      error: result.error,
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
