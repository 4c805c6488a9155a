import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from './temp-dir';

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

/** Debian's redis-server, or null with the reason a test prints when it skips. */
export function redisServerBinary(): { path: string } | { path: null; reason: string } {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return { path: found };
  const which = spawnSync('which', ['redis-server'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return { path: which.stdout.trim() };
  return {
    path: null,
    reason: 'redis-server is not installed (apt-get install redis-server): BullMQ tests skip',
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** Stops the server (SIGTERM, then waits for it to exit) and removes its folder. */
  stop(): Promise<void>;
  /** SIGKILLs it (the lab losing its broker); `restart` brings it back on the same port and files. */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  /** Defaults to the lab's required policy; a test of the start-up check passes another. */
  maxmemoryPolicy?: string;
  appendonly?: boolean;
}

/**
 * A private redis-server on a free loopback port in a temporary folder, configured as a lab's
 * must be (`noeviction`, AOF on), never touching the system's Redis or its config.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisServerBinary();
  if (binary.path === null) throw new Error(binary.reason);
  const dir = makeTempDir('quire-redis-');
  const port = await freePort();
  let child: ChildProcess | null = null;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir.path,
    '--maxmemory-policy',
    options.maxmemoryPolicy ?? 'noeviction',
    '--appendonly',
    options.appendonly === false ? 'no' : 'yes',
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    path.join(dir.path, 'redis.log'),
  ];
  const launch = async () => {
    child = spawn(binary.path, args, { stdio: 'ignore' });
    await waitForPort(port, child);
  };
  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve();
      else c.once('exit', () => resolve());
    });
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir: dir.path,
    async stop() {
      if (child) {
        const c = child;
        c.kill('SIGTERM');
        await exited(c);
      }
      dir.cleanup();
    },
    async kill() {
      if (!child) return;
      const c = child;
      c.kill('SIGKILL');
      await exited(c);
    },
    restart: launch,
  };
}

/** Resolves once the port accepts connections; rejects if the server exits first. */
async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server did not listen on port ${port}`);
}
