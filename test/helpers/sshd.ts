import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/** Why the sshd tests cannot run here, or null when they can. */
export function sshdMissing(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (Debian's openssh-server)`;
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'ssh-keygen is not installed';
  }
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface SshdOptions {
  /** Reuse a port (a restart with a new host key). */
  port?: number;
  /** Make a fresh host key instead of reusing the one in `dir`. */
  newHostKey?: boolean;
  /** Caps each file the server writes (RLIMIT_FSIZE, bytes): writes beyond fail as on a full disk. */
  fileSizeLimit?: number;
}

export interface Sshd {
  host: string;
  port: number;
  user: string;
  /** The test's private key file (0600) and its contents. */
  identityFile: string;
  identity: Buffer;
  /** A folder on the server for uploads (it is this machine's, the server being on loopback). */
  root: string;
  /** `SHA256:…` of the server's host key, as ssh-keygen prints it. */
  hostKeyFingerprint: string;
  stop(): Promise<void>;
}

/**
 * Debian's sshd on a free loopback port, from a config file of its own in a temporary folder
 * (`sshd -D -f FILE`: Debian's system config already defines the sftp subsystem, so `-o`
 * cannot override it): a temporary host key, one authorised test key, `UsePAM no`, internal
 * sftp. Nothing of the system's configuration is read or changed. Run as root, sshd wants its
 * privilege-separation folder /run/sshd; when the system has none, sshd runs in a private mount
 * namespace with its own /run rather than creating one on the system.
 */
export async function startSshd(dir: string, options: SshdOptions = {}): Promise<Sshd> {
  mkdirSync(dir, { recursive: true });
  const hostKey = path.join(dir, 'host_ed25519');
  const clientKey = path.join(dir, 'client_ed25519');
  const root = path.join(dir, 'uploads');
  mkdirSync(root, { recursive: true });
  if (options.newHostKey || !existsSync(hostKey)) {
    for (const f of [hostKey, `${hostKey}.pub`]) if (existsSync(f)) execFileSync('rm', ['-f', f]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  }
  if (!existsSync(clientKey)) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  const port = options.port ?? (await freePort());
  const user = os.userInfo().username;
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      'PidFile none',
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'Subsystem sftp internal-sftp',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  const sshd = `${SSHD} -D -e -f ${config}`;
  const limit = options.fileSizeLimit ? `prlimit --fsize=${options.fileSizeLimit} -- ` : '';
  // A file-size limit must fail writes with EFBIG, not kill the server: SIGXFSZ is ignored.
  const script = `trap '' XFSZ; exec ${limit}${sshd}`;
  const needsRun = process.getuid?.() === 0 && !existsSync('/run/sshd');
  const child: ChildProcess = needsRun
    ? spawn('unshare', ['-m', 'sh', '-c', `mount -t tmpfs quire-sshd /run && mkdir /run/sshd && ${script}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`sshd exited (${code}) before listening:\n${log}`)));
  });
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${hostKey}.pub`])
    .toString()
    .split(' ')[1]!;
  return {
    host: '127.0.0.1',
    port,
    user,
    identityFile: clientKey,
    identity: readFileSync(clientKey),
    root,
    hostKeyFingerprint: fingerprint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
