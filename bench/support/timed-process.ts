// Runs a command to its end and measures it from outside: wall-clock time from spawn to exit
// (process start included) and, through GNU time, the CPU seconds and peak RSS of that process
// alone. CPU seconds per unit of work hardly move when the machine is busy, where wall-clock
// figures swing; benches report both.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';

export interface TimedRun {
  stdout: string;
  /** Wall-clock seconds from spawn to exit, measured here. */
  seconds: number;
  /** User + system CPU seconds of the process (null without GNU time). */
  cpuSeconds: number | null;
  maxRssKb: number | null;
  /** ms since the epoch at spawn and at exit, to place the child's own timestamps. */
  spawnedAtMs: number;
  exitedAtMs: number;
}

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

/**
 * Spawns `cmd args` (stdout collected, stderr passed through) and resolves when it exits 0.
 * NODE_OPTIONS is dropped so that no loader of the bench's own (tsx) is measured with it.
 */
export function runTimed(cmd: string, args: string[], options: { cwd?: string } = {}): Promise<TimedRun> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'quire-bench-time-'));
  const timeFile = path.join(scratch, 'time.txt');
  const [file, argv] = hasGnuTime()
    ? [GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, cmd, ...args]]
    : [cmd, args];
  return new Promise((resolve, reject) => {
    const spawnedAtMs = Date.now();
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'inherit'], env, cwd: options.cwd });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const exitedAtMs = Date.now();
      let cpuSeconds: number | null = null;
      let maxRssKb: number | null = null;
      if (existsSync(timeFile)) {
        // GNU time writes "Command exited with non-zero status N" first when it fails.
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
        const [user, sys, rss] = last.split(' ').map(Number);
        if (Number.isFinite(user) && Number.isFinite(sys)) cpuSeconds = user! + sys!;
        if (Number.isFinite(rss)) maxRssKb = rss!;
      }
      rmSync(scratch, { recursive: true, force: true });
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stdout.slice(-300)}`));
      else resolve({ stdout, seconds, cpuSeconds, maxRssKb, spawnedAtMs, exitedAtMs });
    });
  });
}

/** The last line of a command's stdout, parsed as the JSON summary every tool here ends with. */
export function lastJsonLine<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
}
