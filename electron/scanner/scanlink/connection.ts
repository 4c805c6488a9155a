import { EventEmitter } from 'node:events';
import net from 'node:net';
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import type { Logger } from '../../core/logger';
import { encodeCommand, FrameDecoder, parseJson, ScanLinkStreamError, type Frame } from './codec';
import { EventKind, HelloEvent, Opcode } from './protocol';
import type { TraceRecorder } from './trace';

export type LinkState = 'offline' | 'connecting' | 'online';

/** Page bytes stream from the socket's buffers to disk without being assembled per frame. */
const STREAMED_KINDS: ReadonlySet<number> = new Set([EventKind.DATA]);

export interface ConnectionOptions {
  host: string;
  port: number;
  clientName: string;
  connectTimeoutMs?: number;
  /** STATUS poll interval while online (default 1 s). */
  keepaliveMs?: number;
  /** No byte from the scanner for this long means the peer is dead (default 5 s). */
  deadPeerMs?: number;
  /** Reconnect backoff (exponential with decorrelated jitter, from cockatiel). */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  logger?: Logger;
  trace?: TraceRecorder;
}

/**
 * One TCP connection to one scanner, kept alive: HELLO on connect, STATUS every second,
 * a dead-peer timer, and reconnects with exponential backoff and jitter. A stream out of step
 * or an oversized frame closes the connection and reopens it; it never guesses where the next
 * frame starts. Frames are emitted in order as 'frame'; 'hello' and 'state' announce the link.
 * Once the link is torn down, nothing more of that socket's data is delivered: frames of its
 * last read not yet emitted are reported once as 'discarded' (the scanner sent them and may
 * count them as delivered), never as 'frame' to whoever listens by the time a new link is up.
 */
export class ScanLinkConnection extends EventEmitter {
  private socket: net.Socket | null = null;
  private decoder = FrameDecoder.forEvents(STREAMED_KINDS);
  private linkState: LinkState = 'offline';
  private wanted = false;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private deadPeerTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoff: IBackoff<unknown> | null = null;
  private readonly backoffFactory: ExponentialBackoff<unknown>;
  hello: HelloEvent | null = null;
  lastError: string | null = null;

  constructor(readonly options: ConnectionOptions) {
    super();
    this.backoffFactory = new ExponentialBackoff({
      initialDelay: options.reconnectInitialMs ?? 250,
      maxDelay: options.reconnectMaxMs ?? 10_000,
    });
  }

  get state(): LinkState {
    return this.linkState;
  }

  /** Bytes received and not yet cut into a frame (protocol rule 1). */
  get unparsedBytes(): number {
    return this.decoder.pendingBytes;
  }

  start(): void {
    this.wanted = true;
    if (!this.socket && !this.reconnectTimer) this.open();
  }

  stop(reason = 'stopped'): void {
    this.wanted = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.teardown(reason);
  }

  send(opcode: number, payload?: unknown): boolean {
    if (!this.socket || this.linkState === 'offline') return false;
    const frame = encodeCommand(opcode, payload);
    this.options.trace?.frame('out', opcode, frame.subarray(4));
    this.socket.write(frame);
    return true;
  }

  pause(): void {
    this.socket?.pause();
  }

  resume(): void {
    this.socket?.resume();
  }

  private setState(state: LinkState): void {
    if (state === this.linkState) return;
    this.linkState = state;
    this.emit('state', state);
  }

  private open(): void {
    this.setState('connecting');
    this.decoder = FrameDecoder.forEvents(STREAMED_KINDS);
    this.hello = null;
    const socket = net.createConnection({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(this.options.connectTimeoutMs ?? 5000, () => {
      this.fail(`connect timeout after ${this.options.connectTimeoutMs ?? 5000} ms`);
    });
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.armDeadPeer();
      this.send(Opcode.HELLO, { client: this.options.clientName, protocol: 1 });
      this.send(Opcode.STATUS);
    });
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (error) => this.fail(error.message));
    socket.on('close', () => this.fail('connection closed by the scanner'));
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    this.armDeadPeer();
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      const reason = error instanceof ScanLinkStreamError ? error.message : String(error);
      this.options.logger?.warn(
        { host: this.options.host, port: this.options.port, reason },
        'scanlink stream error',
      );
      this.fail(`stream error: ${reason}`);
      return;
    }
    for (const [i, frame] of frames.entries()) {
      this.options.trace?.frame('in', frame.type, frame.payload);
      if (frame.type === EventKind.HELLO) {
        const hello = HelloEvent.safeParse(safeJson(frame.payload));
        if (!hello.success) this.fail('scanner HELLO is malformed or not protocol 1');
        else {
          this.hello = hello.data;
          this.backoff = null;
          this.lastError = null;
          this.setState('online');
          this.startKeepalive();
          this.emit('hello', hello.data);
        }
      }
      if (this.socket === socket) this.emit('frame', frame);
      // Torn down meanwhile (a bad HELLO, or a listener reset the link for a malformed event):
      // the rest of this read belongs to a dead stream. A listener may already have opened the
      // next link, so "no socket" is not the test: the rest must never reach a capture as if
      // it came after the reset.
      if (this.socket !== socket) {
        const rest = frames.slice(i + 1);
        for (const f of rest) this.options.trace?.frame('in', f.type, f.payload);
        if (rest.length > 0) this.emit('discarded', rest);
        return;
      }
    }
    // The frames before the bad bytes were delivered above; now the link is out of step.
    const broken = this.decoder.error;
    if (broken) {
      this.options.logger?.warn(
        { host: this.options.host, port: this.options.port, reason: broken.message },
        'scanlink stream error',
      );
      this.fail(`stream error: ${broken.message}`);
    }
  }

  private startKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = setInterval(() => this.send(Opcode.STATUS), this.options.keepaliveMs ?? 1000);
    this.keepaliveTimer.unref();
  }

  private armDeadPeer(): void {
    if (this.deadPeerTimer) clearTimeout(this.deadPeerTimer);
    const ms = this.options.deadPeerMs ?? 5000;
    this.deadPeerTimer = setTimeout(() => this.fail(`no data from the scanner for ${ms} ms`), ms);
    this.deadPeerTimer.unref();
  }

  private fail(reason: string): void {
    if (!this.socket) return;
    this.lastError = reason;
    this.teardown(reason);
    if (this.wanted) this.scheduleReconnect();
  }

  private teardown(reason: string): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    if (this.deadPeerTimer) clearTimeout(this.deadPeerTimer);
    this.keepaliveTimer = null;
    this.deadPeerTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners('data');
      socket.destroy();
    }
    const wasUp = this.linkState !== 'offline';
    this.setState('offline');
    if (wasUp) this.emit('lost', reason);
  }

  private scheduleReconnect(): void {
    this.backoff = this.backoff ? this.backoff.next(undefined) : this.backoffFactory.next();
    const delay = this.backoff.duration;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.wanted) this.open();
    }, delay);
    this.reconnectTimer.unref();
  }
}

function safeJson(payload: Buffer): unknown {
  try {
    return parseJson(payload);
  } catch {
    return null;
  }
}
