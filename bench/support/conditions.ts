// What was running while a bench ran: a figure taken on a busy machine is not the same figure.
// Sampled before and after the measurements: the load average, how busy the CPUs were over one
// second, and which processes used them. `ps`'s %CPU is a lifetime average, so a process
// that just started spinning would hide; the deltas of /proc/<pid>/stat over the same second
// show what is busy now.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export interface BusyProcess {
  pid: number;
  command: string;
  cpuPercent: number;
}

export interface MachineSample {
  loadAverage: [number, number, number];
  /** Share of all CPUs busy over the one-second sample, 0-100. */
  cpuBusyPercent: number;
  /** Processes above 5 % of one CPU during the sample, busiest first (at most 5). */
  busy: BusyProcess[];
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on

function cpuTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3]! + (fields[4] ?? 0); // idle + iowait
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

function processTicks(): Map<number, { command: string; ticks: number }> {
  const out = new Map<number, { command: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // comm is in parentheses and may hold spaces; the fields after it are space-separated.
      const close = stat.lastIndexOf(')');
      const command = stat.slice(stat.indexOf('(') + 1, close);
      const rest = stat.slice(close + 2).split(' ');
      out.set(Number(entry), { command, ticks: Number(rest[11]) + Number(rest[12]) }); // utime + stime
    } catch {
      // the process ended between readdir and read
    }
  }
  return out;
}

/**
 * Runs `work` and returns its result with the share of all CPUs that were busy meanwhile
 * (0-100; -1 off Linux). Near 100 on a small machine, a bench measures CPU contention between
 * its own processes more than the thing it means to.
 */
export async function withCpuBusy<T>(work: () => Promise<T>): Promise<T & { cpuBusyPercent: number }> {
  if (process.platform !== 'linux') return { ...(await work()), cpuBusyPercent: -1 };
  const before = cpuTicks();
  const result = await work();
  const after = cpuTicks();
  const total = after.total - before.total;
  return {
    ...result,
    cpuBusyPercent: total > 0 ? Math.round(((after.busy - before.busy) / total) * 100) : 0,
  };
}

export async function sampleMachine(): Promise<MachineSample> {
  if (process.platform !== 'linux')
    return {
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))) as [number, number, number],
      cpuBusyPercent: -1,
      busy: [],
    };
  const cpu0 = cpuTicks();
  const procs0 = processTicks();
  const started = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, 1000));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu1 = cpuTicks();
  const procs1 = processTicks();
  const busy: BusyProcess[] = [];
  for (const [pid, after] of procs1) {
    const before = procs0.get(pid);
    if (!before || pid === process.pid) continue; // the bench itself, waiting here
    const cpuPercent = ((after.ticks - before.ticks) / CLOCK_TICKS_PER_SECOND / seconds) * 100;
    if (cpuPercent >= 5) busy.push({ pid, command: after.command, cpuPercent: Math.round(cpuPercent) });
  }
  busy.sort((a, b) => b.cpuPercent - a.cpuPercent);
  const total = cpu1.total - cpu0.total;
  return {
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))) as [number, number, number],
    cpuBusyPercent: total > 0 ? Math.round(((cpu1.busy - cpu0.busy) / total) * 100) : 0,
    busy: busy.slice(0, 5),
  };
}

export interface Conditions {
  cpus: number;
  cpuModel: string;
  before: MachineSample;
  after: MachineSample;
}

/** Call once before the measurements; the returned function samples again after them. */
export async function recordConditions(): Promise<() => Promise<Conditions>> {
  const before = await sampleMachine();
  return async () => ({
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    before,
    after: await sampleMachine(),
  });
}
