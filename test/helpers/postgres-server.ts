import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from './temp-dir';

/** Debian's PostgreSQL binaries (the newest installed major version), or null. */
function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(root, majors[0], 'bin') : null;
}

/** Why a PostgreSQL server cannot be started here, or null. */
export function postgresUnavailableReason(): string | null {
  if (!postgresBin()) return 'PostgreSQL is not installed (apt-get install -y postgresql)';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0)
    return 'running as root and there is no postgres account to run the server as';
  return null;
}

let reported = false;
/** For `describe.skipIf(withoutPostgres())`: prints the reason once. */
export function withoutPostgres(): boolean {
  const reason = postgresUnavailableReason();
  if (reason && !reported) {
    reported = true;
    process.stdout.write(`SKIPPED PostgreSQL tests: ${reason}\n`);
  }
  return reason !== null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/quire_lab` */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port and data (after `stop`): a database that comes back. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster: initdb in a temporary folder, started with pg_ctl on a free
 * loopback port, with its socket in that folder; no system configuration is read or changed.
 * initdb refuses to run as root, so under root the server runs as the `postgres` account.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error(postgresUnavailableReason() ?? 'no PostgreSQL');
  const dir = makeTempDir('quire-pg-');
  const data = path.join(dir.path, 'data');
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot
    ? {
        uid: Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim()),
        gid: Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim()),
      }
    : {};
  if (asRoot) chownSync(dir.path, ids.uid!, ids.gid!);
  const run = (cmd: string, args: string[]) => {
    const result = spawnSync(path.join(bin, cmd), args, { ...ids, encoding: 'utf8', cwd: dir.path });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = await freePort();
  const pgCtl = (action: 'start' | 'stop') =>
    action === 'start'
      ? run('pg_ctl', [
          '-D',
          data,
          '-l',
          path.join(dir.path, 'server.log'),
          '-w',
          '-o',
          `-p ${port} -k ${dir.path} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
          'start',
        ])
      : run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  pgCtl('start');
  await new Promise<void>((resolve, reject) => {
    const psql = spawn(
      path.join(bin, 'psql'),
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', 'CREATE DATABASE quire_lab'],
      { ...ids, stdio: 'ignore' },
    );
    psql.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`createdb exited ${code}`))));
  });
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/quire_lab`,
    port,
    async stop() {
      if (running) pgCtl('stop');
      running = false;
    },
    async start() {
      if (!running) pgCtl('start');
      running = true;
    },
    async dispose() {
      if (running) pgCtl('stop');
      running = false;
      dir.cleanup();
    },
  };
}
