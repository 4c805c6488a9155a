// npx tsx bench/support/transfer-cpu.ts [quire|sftp|both] [--profile]
// Where the SFTP transfer's CPU goes: CPU seconds per GiB sent, of Quire's process (its sending
// phase only) and of OpenSSH's `sftp -b put -r` client (GNU time), each with the loopback sshd
// serving it. CPU per GiB hardly moves when other work loads the machine; wall-clock does. With
// --profile, Quire's sending phase is also profiled (V8's sampling profiler through the
// inspector, so the fixture and the verification stay out of it) and the functions with the most
// self time are printed. QUIRE_BENCH_SCALE scales the package (1 = 1 GiB of masters), which is
// kept in bench/.work/transfer-cpu between runs; QUIRE_BENCH_ROUNDS the rounds;
// QUIRE_PARALLEL_WRITES overrides the SFTP writes in flight; QUIRE_LIMIT sets a rate (50M).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../../electron/storage/index';
import { SftpDestination } from '../../electron/transfer/sftp-destination';
import {
  parseRate,
  TokenBucket,
  TransferProgressStore,
  transferPackage,
} from '../../electron/transfer/index';
import { sshdMissing, startSshd } from '../../test/helpers/sshd';
import { makeBag } from '../../test/integration/transfer/fixture';
import { sftpBatchArgs } from './sftp-baseline';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TICK = 100; // USER_HZ
const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const rounds = Number(process.env.QUIRE_BENCH_ROUNDS ?? 2);
const which = process.argv[2] ?? 'both';
const profile = process.argv.includes('--profile');
const masters = Math.max(2, Math.round(10 * scale));
const work = path.resolve('bench/.work/transfer-cpu');

const missing = sshdMissing();
if (missing) throw new Error(missing);
mkdirSync(work, { recursive: true });
const bag = path.join(work, 'CPU');
const marker = path.join(work, 'masters');
if (!existsSync(marker) || readFileSync(marker, 'utf8') !== String(masters)) {
  rmSync(bag, { recursive: true, force: true });
  makeBag(
    work,
    'CPU',
    Array.from({ length: masters }, () => Math.round(102.4 * MiB)),
    [200_000, 200_000],
  );
  writeFileSync(marker, String(masters));
}
const packageBytes = Number((await run('du', ['-sb', bag])).stdout.split('\t')[0]);
rmSync(path.join(work, 'sshd'), { recursive: true, force: true });
const sshd = await startSshd(path.join(work, 'sshd'));
const db = openDatabase(path.join(work, 'quire.db'));

/** The sshd listener: our child (`sh -c 'exec sshd'` or unshare's, both exec into sshd). */
function findListener(): number {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (statOf(Number(pid))?.ppid === process.pid && cmd.includes('sshd:')) return Number(pid);
  }
  throw new Error('sshd listener not found');
}

function statOf(pid: number, file = `/proc/${pid}/stat`): { ppid: number; ticks: number } | null {
  try {
    const text = readFileSync(file, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime: reaped children's time moves into their parent's c-fields.
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/** CPU seconds of the sshd listener and every descendant, reaped or alive. */
function sshdSeconds(): number {
  const procs = new Map<number, { ppid: number; ticks: number }>();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const s = statOf(Number(p));
    if (s) procs.set(Number(p), s);
  }
  let ticks = 0;
  const walk = (pid: number) => {
    ticks += procs.get(pid)?.ticks ?? 0;
    for (const [child, s] of procs) if (s.ppid === pid) walk(child);
  };
  walk(listener!);
  return ticks / TICK;
}

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

/** CPU seconds of this process's threads by name (main, libuv's pool, V8's helpers). */
function threadSeconds(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    // Helper threads are all called `node`: the main thread is the one whose id is the pid's.
    const comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    const name = Number(tid) === process.pid ? 'main' : comm;
    const ticks = statOf(Number(tid), `/proc/self/task/${tid}/stat`)?.ticks ?? 0;
    out.set(name, (out.get(name) ?? 0) + ticks / TICK);
  }
  return out;
}

async function quire(n: number) {
  const root = path.join(sshd.root, `quire-${n}`);
  mkdirSync(root);
  const store = new TransferProgressStore(db);
  db.exec('DELETE FROM transfer_files; DELETE FROM transfers;');
  let session: Session | null = null;
  if (profile) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const threads0 = threadSeconds();
  const cpu0 = process.cpuUsage();
  const sshd0 = sshdSeconds();
  let sent: { cpu: number; sshd: number; threads: Record<string, number> } | null = null;
  const result = await transferPackage({
    packageDir: bag,
    destination: new SftpDestination({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      root,
      privateKey: sshd.identity,
      pins: store,
      ...(process.env.QUIRE_PARALLEL_WRITES
        ? { parallelWrites: Number(process.env.QUIRE_PARALLEL_WRITES) }
        : {}),
    }),
    store,
    limiter: new TokenBucket({ rate: process.env.QUIRE_LIMIT ? parseRate(process.env.QUIRE_LIMIT) : null }),
    verify: 'sample',
    onProgress: (p) => {
      if (p.phase === 'verifying' && !sent)
        sent = {
          cpu: cpuSeconds(process.cpuUsage(cpu0)),
          sshd: sshdSeconds() - sshd0,
          threads: Object.fromEntries(
            [...threadSeconds()].map(([name, t]) => [name, +(t - (threads0.get(name) ?? 0)).toFixed(2)]),
          ),
        };
    },
  });
  if (session) {
    const { profile: prof } = await session.post('Profiler.stop');
    writeFileSync(path.join(work, `quire-${n}.cpuprofile`), JSON.stringify(prof));
    printTop(prof);
    session.disconnect();
  }
  if (!result.verified || !sent) throw new Error(`not verified: ${result.errors.join('; ')}`);
  rmSync(root, { recursive: true, force: true });
  const s = sent as { cpu: number; sshd: number; threads: Record<string, number> };
  const gib = result.bytesSent / GiB;
  return {
    who: 'quire',
    mibps: +(result.bytesSent / MiB / result.sendSeconds).toFixed(1),
    cpuPerGiB: +(s.cpu / gib).toFixed(2),
    sshdCpuPerGiB: +(s.sshd / gib).toFixed(2),
    threadSeconds: s.threads,
  };
}

async function sftp(n: number) {
  const root = path.join(sshd.root, `sftp-${n}`);
  mkdirSync(root);
  const batch = path.join(work, 'sftp-batch');
  writeFileSync(batch, `put -r ${bag} ${root}/CPU\n`);
  const timeFile = path.join(work, 'time.txt');
  const sshd0 = sshdSeconds();
  const started = performance.now();
  await run('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, 'sftp', ...sftpBatchArgs(sshd, batch)]);
  const seconds = (performance.now() - started) / 1000;
  // The server's session process ends just after the client; its time lands in the listener's.
  let sshdCpu = sshdSeconds() - sshd0;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 50));
    sshdCpu = sshdSeconds() - sshd0;
  }
  const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(root, { recursive: true, force: true });
  const gib = packageBytes / GiB;
  return {
    who: 'sftp',
    mibps: +(packageBytes / MiB / seconds).toFixed(1),
    cpuPerGiB: +((user! + sys!) / gib).toFixed(2),
    sshdCpuPerGiB: +(sshdCpu / gib).toFixed(2),
  };
}

interface ProfileNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

function printTop(prof: { nodes: ProfileNode[] }) {
  const self = new Map<string, number>();
  let total = 0;
  for (const node of prof.nodes) {
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/.*node_modules\//, '')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
    total += node.hitCount ?? 0;
  }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [key, hits] of top) console.error(`${((100 * hits) / total).toFixed(1).padStart(5)} %  ${key}`);
}

let listener: number | null = null;
try {
  listener = findListener();
  for (let i = 1; i <= rounds; i++) {
    if (which !== 'sftp') console.log(JSON.stringify(await quire(i)));
    if (which !== 'quire') console.log(JSON.stringify(await sftp(i)));
  }
} finally {
  db.close();
  await sshd.stop();
}
