import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeBag } from './fixture';

// bin/quire.cjs starts `quire transfer` in a second Node with V8's single-threaded GC. What an
// operator relies on must hold through that hop: the options reach it, its output and exit code
// come back, and killing the command kills the transfer (which then resumes on the next run).

const LAUNCHER = path.resolve('bin/quire.cjs');

/** Resolves once `probe` returns a value, checking every 25 ms (bounded: a stuck CLI fails the test). */
async function until<T>(probe: () => T | null, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};

/** Gone, or a zombie waiting for init to reap it. */
const ended = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
};

function launch(args: string[]) {
  const child = spawn(process.execPath, [LAUNCHER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c) => (stdout += c));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; json: unknown }>((resolve) =>
    child.on('close', (code, signal) =>
      resolve({ code, signal, json: JSON.parse(stdout.trim().split('\n').pop() || 'null') as unknown }),
    ),
  );
  return { child, done };
}

describe.skipIf(process.platform !== 'linux')('bin/quire.cjs relaunching `quire transfer`', () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    dir = makeTempDir('quire-launcher-');
  });
  afterAll(() => dir?.cleanup());

  it('runs the transfer with the single-threaded GC, and a SIGKILL of the command ends it', async () => {
    const bag = makeBag(dir.path, 'L1', [4_000_000]);
    const dest = path.join(dir.path, 'dest');
    mkdirSync(dest);
    const data = path.join(dir.path, 'station');
    const args = ['transfer', bag, pathToFileURL(dest).href, '--data', data];

    const first = launch([...args, '--limit-rate', '500K']);
    const relaunched = await until(() => childrenOf(first.child.pid!)[0] ?? null, 'the relaunched CLI');
    // Between fork and exec the child still shows its launcher's command line, and while the
    // exec replaces it, none at all; wait for the exec. A relaunch without the option would
    // never differ, and the wait would fail the test.
    const launcherLine = readFileSync(`/proc/${first.child.pid!}/cmdline`, 'utf8');
    const commandLine = await until(() => {
      const line = readFileSync(`/proc/${relaunched}/cmdline`, 'utf8');
      return line === launcherLine || line === '' ? null : line;
    }, 'the relaunched CLI to start with its own command line');
    const argv = commandLine.split('\0');
    expect(argv).toContain('--single-threaded-gc');
    expect(argv).toContain(bag);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    await until(() => (ended(relaunched) ? true : null), 'the relaunched CLI to end with its launcher');
    expect(existsSync(path.join(dest, 'L1'))).toBe(false);

    const second = await launch(args).done;
    expect(second.code).toBe(0);
    expect(second.json).toMatchObject({ verified: true });
    expect(existsSync(path.join(dest, 'L1', 'bagit.txt'))).toBe(true);
  });

  it('passes on the exit code and the error of a bad argument', async () => {
    const run = await launch(['transfer', path.join(dir.path, 'nothing'), 'file:///tmp', '--verify', 'some'])
      .done;
    expect(run.code).toBe(2);
  });
});
