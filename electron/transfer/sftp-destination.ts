import net from 'node:net';
import path from 'node:path';
import { Client, type SFTPWrapper, type Stats } from 'ssh2';
import { CHUNK, putBytes, type ByteStore, type ByteWriter } from './byte-resume';
import { TransferError, type Destination, type PackageTarget } from './destination';
import { INCOMING_SUFFIX, PARTIAL_SUFFIX } from './folder-destination';
import { hostKeyVerifier, type HostKeyPins } from './host-keys';

export interface SftpOptions {
  host: string;
  port: number;
  username: string;
  /** The remote folder packages go into. */
  root: string;
  privateKey: Buffer;
  passphrase?: string;
  pins: HostKeyPins;
  /**
   * Write requests of 255 KiB in flight per file (default 8: 2 MiB, what OpenSSH's own client
   * keeps in flight, 64 of 32 KB, and the whole channel window its server offers). More does not
   * go faster and costs CPU on both ends: requests beyond the server's window wait inside ssh2
   * long enough to reach V8's old generation, and sshd works harder with its buffers full (a
   * gigabyte to a loopback OpenSSH on a busy 2-core VM: Quire 5.3-5.9 CPU s and sshd 2.8-3.1 with
   * 4 in flight, 6.7-8.0 and 3.7-4.0 with 16). Fewer would cap a fast link with a long round trip.
   */
  parallelWrites?: number;
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02). */
const NO_SUCH_FILE = 2;
const FAILURE = 4;

const call = <T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

type Rpc = <T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void) => Promise<T>;

/**
 * Requests on one connection. ssh2 leaves a request unanswered when the connection drops under
 * it, so every request also fails when the connection closes: the engine then reconnects.
 */
function requestsOn(client: Client): Rpc {
  const lost = new Promise<never>((_, reject) =>
    client.once('close', () => reject(new Error('the SFTP connection was lost'))),
  );
  lost.catch(() => undefined);
  return <T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void) =>
    Promise.race([call<T>(fn), lost]);
}

const missing = (error: unknown) => (error as { code?: number }).code === NO_SUCH_FILE;

/**
 * Makes a socket send everything written to it in one tick as one writev. ssh2 writes each
 * 32 KB SSH packet as three pieces (length, ciphertext, tag), and with TCP_NODELAY each went
 * out on its own: some 100,000 write calls and segments a gigabyte, which the server then takes
 * in one by one as well. The socket's own `write` is wrapped after connecting: net.Socket's
 * connect() puts back the prototype's `write` over any override, a subclass's included.
 */
function gatherWritesPerTick(sock: net.Socket): void {
  const write = sock.write.bind(sock) as (...args: unknown[]) => boolean;
  let gathering = false;
  sock.write = ((...args: unknown[]) => {
    if (!gathering) {
      gathering = true;
      sock.cork();
      process.nextTick(() => {
        gathering = false;
        sock.uncork();
      });
    }
    return write(...args);
  }) as net.Socket['write'];
}

/**
 * An SFTP drop, with key authentication and the server's host key pinned on first use. The
 * layout is the folder destination's: `<name>.quire-incoming/<file>.quire-part`, renamed into
 * place once flushed (fsync@openssh.com), and the folder renamed once verified.
 */
export class SftpDestination implements Destination {
  readonly verifiesBy = 'reading';
  readonly label: string;
  private readonly hostId: string;

  constructor(private readonly options: SftpOptions) {
    this.label = `sftp://${options.username}@${options.host}:${options.port}${options.root}`;
    this.hostId = `[${options.host}]:${options.port}`;
  }

  private async connect(): Promise<{ client: Client; sftp: SFTPWrapper }> {
    const o = this.options;
    const pin = hostKeyVerifier(o.pins, this.hostId);
    const client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (error: Error & { level?: string }) => {
        if (pin.mismatch) reject(pin.mismatch);
        else if (error.level === 'client-authentication')
          reject(new TransferError('AUTH_FAILED', `${this.label} refused the key: ${error.message}`));
        else reject(error);
      });
      // SFTP is request and reply: without TCP_NODELAY each small request waits out Nagle's
      // algorithm against the server's delayed ACK, some 40 ms a round trip.
      const sock = net.connect(o.port, o.host);
      sock.setNoDelay(true);
      gatherWritesPerTick(sock);
      sock.once('error', (error) => reject(error));
      client.connect({
        sock,
        host: o.host,
        port: o.port,
        username: o.username,
        privateKey: o.privateKey,
        ...(o.passphrase ? { passphrase: o.passphrase } : {}),
        hostVerifier: (key: Buffer) => pin.verify(key),
        readyTimeout: 20_000,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
      });
    });
    // Later errors (a dropped connection) surface through the pending SFTP requests.
    client.on('error', () => undefined);
    const sftp = await call<SFTPWrapper>((cb) => client.sftp(cb));
    return { client, sftp };
  }

  async open(packageName: string): Promise<PackageTarget> {
    const { client, sftp } = await this.connect();
    const rpc = requestsOn(client);
    const root = this.options.root;
    const incoming = path.posix.join(root, packageName + INCOMING_SUFFIX);
    const final = path.posix.join(root, packageName);
    const remote = (rel: string) => path.posix.join(incoming, rel);
    const stat = (p: string) =>
      rpc<Stats>((cb) => sftp.stat(p, cb)).catch((error: unknown) => {
        if (missing(error)) return null;
        throw error;
      });
    const sizeOf = async (p: string) => (await stat(p))?.size ?? null;
    const mkdirp = async (dir: string): Promise<void> => {
      if (await stat(dir)) return;
      await mkdirp(path.posix.dirname(dir));
      await rpc<void>((cb) => sftp.mkdir(dir, (err) => cb(err, undefined))).catch(async (error: unknown) => {
        if (!(await stat(dir))) throw error;
      });
    };
    if (!(await stat(root))) {
      client.end();
      throw new TransferError(
        'BAD_DESTINATION',
        `${this.label}: the folder ${root} does not exist on the server`,
      );
    }
    const full = (error: unknown): unknown =>
      (error as { code?: number }).code === FAILURE
        ? new TransferError(
            'DESTINATION_FULL',
            `${this.label} refused a write (SFTP status FAILURE, which OpenSSH reports for a full disk, a quota ` +
              `or a file-size limit): make room and run the transfer again`,
          )
        : error;

    // sftp-server answers one request at a time: an fsync sent on this channel holds back the
    // next file's writes until the disk has taken the last file. A second SFTP channel (its own
    // sftp-server) flushes instead, so the next file is sent meanwhile. A server that refuses a
    // second channel (MaxSessions 1) gets its flushes on the first.
    let flushing: Promise<SFTPWrapper> | null = null;
    const flushChannel = (): Promise<SFTPWrapper> =>
      (flushing ??= rpc<SFTPWrapper>((cb) => client.sftp(cb)).catch(() => sftp));

    /**
     * fsync@openssh.com of a file written through `own`: through a handle of its own on the
     * flushing channel, opened while `own` is still open, so a writeback error reaches it too.
     */
    const flushToDisk = async (file: string, own: Buffer): Promise<void> => {
      const other = await flushChannel();
      const flushHandle = other === sftp ? own : await rpc<Buffer>((cb) => other.open(file, 'r', cb));
      let flushed = false;
      try {
        await rpc<void>((cb) => other.ext_openssh_fsync(flushHandle, (err) => cb(err, undefined)));
        flushed = true;
      } catch (error) {
        throw full(error);
      } finally {
        // After a failed flush, its error is the one that counts.
        if (flushHandle !== own)
          await rpc<void>((cb) => other.close(flushHandle, (err) => cb(err, undefined))).catch(
            (error: unknown) => {
              if (flushed) throw error;
            },
          );
      }
    };

    const store: ByteStore = {
      parallelWrites: this.options.parallelWrites ?? 8,
      partialSize: (rel) => sizeOf(remote(rel) + PARTIAL_SUFFIX),
      readPartial: (rel, length) => readRemote(sftp, rpc, remote(rel) + PARTIAL_SUFFIX, length),
      openPartial: async (rel, keep) => {
        const file = remote(rel) + PARTIAL_SUFFIX;
        await mkdirp(path.posix.dirname(file));
        const exists = (await stat(file)) !== null;
        const handle = await rpc<Buffer>((cb) => sftp.open(file, exists ? 'r+' : 'w', cb));
        await rpc<void>((cb) => sftp.fsetstat(handle, { size: keep }, (err) => cb(err, undefined)));
        const writer: ByteWriter = {
          write: (chunk, position) =>
            rpc<void>((cb) =>
              sftp.write(handle, chunk, 0, chunk.length, position, (err) => cb(err, undefined)),
            ).catch((error: unknown) => {
              throw full(error);
            }),
          close: async () => {
            const closeOwn = () => rpc<void>((cb) => sftp.close(handle, (err) => cb(err, undefined)));
            try {
              await flushToDisk(file, handle);
            } catch (error) {
              await closeOwn().catch(() => undefined);
              throw error;
            }
            await closeOwn();
          },
          abort: () => rpc<void>((cb) => sftp.close(handle, (err) => cb(err, undefined))),
        };
        return writer;
      },
      commit: (rel) =>
        rpc<void>((cb) =>
          sftp.ext_openssh_rename(remote(rel) + PARTIAL_SUFFIX, remote(rel), (err) => cb(err, undefined)),
        ),
      size: (rel) => sizeOf(remote(rel)),
    };
    return {
      put: (file, progress, io) => putBytes(store, file, progress, io),
      size: store.size,
      read: (rel) => readRemote(sftp, rpc, remote(rel), Number.POSITIVE_INFINITY),
      checkStored: () => Promise.resolve('this destination is verified by reading files back'),
      published: async () => (await stat(final)) !== null,
      publish: async () => {
        // Plain SFTP rename refuses an existing target: nothing at the destination is replaced.
        if (await stat(final))
          throw new TransferError(
            'ALREADY_EXISTS',
            `${final} already exists on ${this.label}; nothing there is replaced`,
          );
        await rpc<void>((cb) => sftp.rename(incoming, final, (err) => cb(err, undefined)));
      },
      close: async () => {
        client.end();
        await Promise.resolve();
      },
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Reads a remote file with several requests in flight (one at a time is bound by the round
 * trip), yielding the pieces in order.
 */
async function* readRemote(sftp: SFTPWrapper, rpc: Rpc, file: string, length: number): AsyncIterable<Buffer> {
  const handle = await rpc<Buffer>((cb) => sftp.open(file, 'r', cb));
  try {
    const size = Math.min(length, (await rpc<Stats>((cb) => sftp.fstat(handle, cb))).size);
    const depth = 16;
    const pending: Promise<Buffer>[] = [];
    let next = 0;
    const issue = () => {
      const at = next;
      const len = Math.min(CHUNK, size - at);
      next += len;
      const piece = (async () => {
        // A short read (the server's own limit) is continued until the piece is whole.
        const buf = Buffer.allocUnsafe(len);
        let got = 0;
        while (got < len) {
          const n = await rpc<number>((cb) =>
            sftp.read(handle, buf, got, len - got, at + got, (err, k) => cb(err, k)),
          );
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      })();
      // Pieces after a failed one are abandoned; their own failures are not news.
      piece.catch(() => undefined);
      pending.push(piece);
    };
    while (next < size && pending.length < depth) issue();
    while (pending.length > 0) {
      const piece = await pending.shift()!;
      if (next < size) issue();
      if (piece.length > 0) yield piece;
    }
  } finally {
    await rpc<void>((cb) => sftp.close(handle, (err) => cb(err, undefined))).catch(() => undefined);
  }
}
