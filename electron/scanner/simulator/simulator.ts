import { createHash } from 'node:crypto';
import net from 'node:net';
import type { SimulatorFault } from '../../../shared/contract/index';
import { encodeEvent, encodeEventHeader, FrameDecoder, parseJson } from '../scanlink/codec';
import {
  AbortCommand,
  CaptureCommand,
  EventKind,
  MAX_DATA_FRAME_BYTES,
  Opcode,
  type CaptureCommand as Capture,
  type FaultCode,
  type ScannerState,
  type StatusEvent,
} from '../scanlink/protocol';
import { NO_FAULTS, withFault, type Faults, type PageFault, type Transmission } from './sim-faults';
import { makeTextPage } from './text-pages';
import { makeTiffPage, pixelSize, type PageSpec } from './tiff-pages';

export interface SimulatorOptions {
  /** Sheets in the feeder at start (null: endless). */
  sheets?: number | null;
  feedMs?: number;
  captureMs?: number;
  /** How fast the firmware buffer drains to the socket (bytes per second; null: as fast as TCP takes it). */
  flushBytesPerSecond?: number | null;
  dataFrameBytes?: number;
  pageWidthInches?: number;
  pageHeightInches?: number;
  serial?: string;
  faults?: SimulatorFault[];
  /** Page faults fire once, then are disarmed (a soak injects them at random). */
  oneShotFaults?: boolean;
  /** Every page sent carries a unique stamp, so any master can be traced to its transmission. */
  stampPages?: boolean;
  /** Pages of rendered text with known words (text-pages.ts), for OCR tests and demos. */
  textPages?: boolean;
}

/**
 * A ScanLink/1 scanner on loopback, written from ../shared/scanner-protocol.md like any other
 * peer: real TIFF pages from sharp, a feeder, a firmware buffer that keeps flushing after the
 * feeder stops (READY with buffered > 0), BUSY and BAD_COMMAND, jams that need RESET, and
 * injectable faults. Scanner state belongs to the device, not to a connection.
 */
export class ScanLinkSimulator {
  private server: net.Server | null = null;
  private client: net.Socket | null = null;
  private state: ScannerState = 'IDLE';
  private adf: StatusEvent['adf'];
  private buffered = 0;
  private job: string | null = null;
  private seq = 0;
  private sheets: number | null;
  private faults: Faults = { ...NO_FAULTS };
  private abortRequested = false;
  private stormTimer: NodeJS.Timeout | null = null;
  private readonly pageCache = new Map<string, Buffer>();
  readonly serial: string;
  /** Every page announced, with the true hash of its bytes (tests compare staging against it). */
  readonly pagesSent: Transmission[] = [];
  private runs = 0;

  constructor(private readonly options: SimulatorOptions = {}) {
    this.sheets = options.sheets === undefined ? 10 : options.sheets;
    this.adf = this.sheets === 0 ? 'EMPTY' : 'LOADED';
    this.serial = options.serial ?? `SIM-${Math.floor(Math.random() * 1e6)}`;
    for (const fault of options.faults ?? []) this.inject(fault);
  }

  get port(): number {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : 0;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<number> {
    this.server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return this.port;
  }

  async stop(): Promise<void> {
    if (this.stormTimer) clearInterval(this.stormTimer);
    this.client?.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** Refills the feeder (the operator loads more sheets). */
  loadSheets(count: number | null): void {
    this.sheets = count;
    this.adf = count === 0 ? 'EMPTY' : 'LOADED';
    this.sendStatus();
  }

  inject(fault: SimulatorFault): void {
    this.faults = withFault(this.faults, fault);
    if (fault.kind === 'statusStorm') this.startStorm();
    if (fault.kind === 'clear' && this.stormTimer) {
      clearInterval(this.stormTimer);
      this.stormTimer = null;
    }
  }

  /** Whether a page fault is armed for this page; a one-shot fault is disarmed as it fires. */
  private fires(kind: PageFault, page: number): boolean {
    if (this.faults[kind] !== page) return false;
    if (this.options.oneShotFaults) this.faults = { ...this.faults, [kind]: null };
    return true;
  }

  private accept(socket: net.Socket): void {
    // One station at a time: a new connection replaces the old one, as on real devices.
    this.client?.destroy();
    this.client = socket;
    socket.setNoDelay(true);
    const decoder = FrameDecoder.forCommands();
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const frame of frames) void this.onCommand(frame.type, frame.payload);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.client === socket) {
        this.client = null;
        this.abortRequested = true;
      }
    });
  }

  private async onCommand(opcode: number, payload: Buffer): Promise<void> {
    const json = payload.length ? safeJson(payload) : undefined;
    switch (opcode) {
      case Opcode.HELLO:
        return this.send(EventKind.HELLO, {
          vendor: 'Quire',
          model: 'ScanLink Simulator',
          serial: this.serial,
          firmware: '1.0.0-sim',
          protocol: 1,
          maxDpi: 1200,
          modes: ['color', 'gray', 'bw'],
          bufferBytes: 512 * 1024 * 1024,
        });
      case Opcode.STATUS:
        return this.sendStatus();
      case Opcode.RESET:
        if (this.state === 'JAMMED' || this.state === 'ERROR') {
          this.faults.jamAtPage = null;
          this.setState('IDLE', this.sheets === 0 ? 'EMPTY' : 'LOADED');
        }
        return;
      case Opcode.ABORT: {
        const parsed = AbortCommand.safeParse(json);
        if (!parsed.success) return this.fault('BAD_COMMAND', null, null, 'ABORT payload is invalid');
        if (parsed.data.job === this.job) this.abortRequested = true;
        return;
      }
      case Opcode.CAPTURE: {
        const parsed = CaptureCommand.safeParse(json);
        if (!parsed.success)
          return this.fault(
            'BAD_COMMAND',
            null,
            null,
            `CAPTURE payload is invalid: ${parsed.error.issues[0]?.message}`,
          );
        if (this.state === 'JAMMED')
          return this.fault('BUSY', null, null, 'jammed: clear the feeder and RESET');
        if (this.job !== null || this.buffered > 0)
          return this.fault('BUSY', this.job, null, 'a job is still running or flushing');
        return this.runJob(parsed.data);
      }
      default:
        return this.fault('BAD_COMMAND', null, null, `unknown opcode 0x${opcode.toString(16)}`);
    }
  }

  private async runJob(capture: Capture): Promise<void> {
    this.job = capture.job;
    this.abortRequested = false;
    this.runs += 1;
    const spec: PageSpec = {
      widthInches: this.options.pageWidthInches ?? 8.27,
      heightInches: this.options.pageHeightInches ?? 11.69,
      dpi: capture.dpi,
      mode: capture.mode,
      bitDepth: capture.bitDepth,
    };
    let done = 0;
    let status: 'complete' | 'aborted' | 'jammed' = 'complete';
    while (capture.pages === null || done < capture.pages) {
      if (this.abortRequested) {
        status = 'aborted';
        break;
      }
      if (this.sheets === 0) break;
      const page = done + 1;
      this.setState('FEEDING', 'LOADED');
      await delay(this.options.feedMs ?? 0);
      if (this.faults.jamAtPage === page) {
        this.fault('ADF_JAM', capture.job, page, `paper jam feeding page ${page}`);
        this.setState('JAMMED', 'JAM');
        status = 'jammed';
        break;
      }
      if (this.sheets !== null) this.sheets -= 1;
      this.setState('CAPTURING', this.sheets === 0 ? 'EMPTY' : 'LOADED');
      await delay(this.options.captureMs ?? 0);
      const bytes = this.fires('notTiffAtPage', page)
        ? notTiffBytes(page)
        : this.fires('undecodableAtPage', page)
          ? withUnknownCompression(await this.page(spec, page))
          : await this.page(spec, page);
      const last = (capture.pages !== null && page === capture.pages) || this.sheets === 0;
      let sent = await this.sendPage(capture.job, page, bytes, spec, last);
      // A firmware fault: the same page number again, with other bytes.
      if (sent && this.fires('duplicatePage', page))
        sent = await this.sendPage(capture.job, page, await this.page(spec, page + 1), spec, last);
      if (!sent) {
        // The connection dropped mid-page: the sheet goes back for the operator to refeed.
        if (this.sheets !== null) this.sheets += 1;
        this.job = null;
        this.buffered = 0;
        this.state = 'IDLE';
        return;
      }
      done += 1;
    }
    this.job = null;
    this.buffered = 0;
    this.send(EventKind.JOB_END, { job: capture.job, pages: done, status });
    if (status !== 'jammed') this.setState('READY', this.sheets === 0 ? 'EMPTY' : 'LOADED');
  }

  /** Sends one page; after the last sheet the feeder stops and READY is reported while bytes remain. */
  private async sendPage(
    job: string,
    page: number,
    bytes: Buffer,
    spec: PageSpec,
    last: boolean,
  ): Promise<boolean> {
    let sha256 = digestOf(bytes);
    const sent: Transmission = { run: this.runs, job, page, bytes: bytes.length, sha256, intact: false };
    this.pagesSent.push(sent);
    const corrupt = this.fires('corruptChecksum', page);
    if (corrupt) sha256 = (sha256[0] === '0' ? '1' : '0') + sha256.slice(1);
    const size = pixelSize(spec);
    this.buffered = bytes.length;
    this.send(EventKind.PAGE_BEGIN, {
      job,
      page,
      bytes: bytes.length,
      sha256,
      format: 'tiff',
      width: size.width,
      height: size.height,
      dpi: spec.dpi,
      mode: spec.mode,
      bitDepth: spec.bitDepth,
    });
    const frameBytes = Math.min(this.options.dataFrameBytes ?? MAX_DATA_FRAME_BYTES, MAX_DATA_FRAME_BYTES);
    let offset = 0;
    let reportedReady = false;
    while (offset < bytes.length) {
      if (!this.client) return false;
      if (this.faults.dropMidPage === page && offset >= bytes.length / 2) {
        this.faults = { ...this.faults, dropMidPage: null };
        this.client.destroy();
        return false;
      }
      const chunk = bytes.subarray(offset, offset + frameBytes);
      offset += chunk.length;
      this.buffered = bytes.length - offset;
      await this.write([encodeEventHeader(EventKind.DATA, chunk.length), chunk]);
      if (last && !reportedReady && this.buffered > 0) {
        // The flush edge case of the protocol page: READY, with bytes still to come.
        reportedReady = true;
        this.setState('READY', this.sheets === 0 ? 'EMPTY' : 'LOADED');
      } else if (this.buffered > 0) {
        this.sendStatus();
      }
      const rate = this.faults.slowFlush ?? this.options.flushBytesPerSecond ?? null;
      if (rate) await delay((chunk.length / rate) * 1000);
    }
    const end = encodeEvent(EventKind.PAGE_END, { job, page });
    const garbage = this.fires('garbageAfterPage', page);
    // Under that fault, bytes that are no frame follow PAGE_END in the same write.
    void this.write(garbage ? Buffer.concat([end, Buffer.from([0x99, 0x00, 0x01, 0x02])]) : end);
    sent.intact = !corrupt && this.client !== null;
    return this.client !== null;
  }

  private async page(spec: PageSpec, page: number): Promise<Buffer> {
    if (this.options.stampPages) return makeTiffPage(spec, page % 3, this.pagesSent.length + 1);
    if (this.options.textPages) return makeTextPage(spec, page);
    const variant = page % 3;
    const key = JSON.stringify([spec, variant]);
    let bytes = this.pageCache.get(key);
    if (!bytes) {
      bytes = await makeTiffPage(spec, variant);
      if (this.pageCache.size > 6) this.pageCache.clear();
      this.pageCache.set(key, bytes);
    }
    return bytes;
  }

  private setState(state: ScannerState, adf: StatusEvent['adf']): void {
    this.state = state;
    this.adf = adf;
    this.sendStatus();
  }

  private sendStatus(): void {
    this.seq += 1;
    this.send(EventKind.STATUS, {
      state: this.state,
      adf: this.adf,
      buffered: this.buffered,
      job: this.job,
      seq: this.seq,
    });
  }

  private fault(code: FaultCode, job: string | null, page: number | null, message: string): void {
    this.send(EventKind.FAULT, { code, job, page, message });
  }

  private send(kind: number, payload: object): void {
    void this.write(encodeEvent(kind, payload));
  }

  /**
   * Writes a frame (or a header and its payload, corked into one send without copying them
   * together), byte by byte under that fault, and waits for the socket to drain.
   */
  private async write(frame: Buffer | Buffer[]): Promise<void> {
    const socket = this.client;
    if (!socket || socket.destroyed) return;
    let flowing = true;
    if (this.faults.byteAtATime) {
      const bytes = Array.isArray(frame) ? Buffer.concat(frame) : frame;
      for (let i = 0; i < bytes.length; i++) socket.write(bytes.subarray(i, i + 1));
    } else if (Array.isArray(frame)) {
      socket.cork();
      for (const part of frame) flowing = socket.write(part);
      socket.uncork();
    } else flowing = socket.write(frame);
    if (!flowing) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }

  private startStorm(): void {
    if (this.stormTimer) clearInterval(this.stormTimer);
    const rate = this.faults.statusStorm;
    if (!rate) return;
    this.stormTimer = setInterval(() => this.sendStatus(), Math.max(1, Math.round(1000 / rate)));
    this.stormTimer.unref();
  }
}

/**
 * A page's SHA-256, computed once per rendered page: the simulator re-sends the same few
 * rendered pages, and hashing 100 MB on every send made the test rig, not the station, the
 * bottleneck of the capture benchmark.
 */
const digests = new WeakMap<Buffer, string>();
function digestOf(bytes: Buffer): string {
  let digest = digests.get(bytes);
  if (!digest) {
    digest = createHash('sha256').update(bytes).digest('hex');
    digests.set(bytes, digest);
  }
  return digest;
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function safeJson(payload: Buffer): unknown {
  try {
    return parseJson(payload);
  } catch {
    return undefined;
  }
}

/**
 * What a misconfigured firmware might send while announcing a TIFF: a PNG signature and noise.
 * Its SHA-256 is announced truthfully, so only image QC can tell.
 */
/**
 * The page with its first image's Compression tag set to a value no reader knows: every offset
 * and count is intact, so the file is structurally whole, but its pixels cannot be decoded.
 */
function withUnknownCompression(tiff: Buffer): Buffer {
  const bytes = Buffer.from(tiff);
  const little = bytes[0] === 0x49;
  const u16 = (o: number) => (little ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  const ifd = little ? bytes.readUInt32LE(4) : bytes.readUInt32BE(4);
  for (let i = 0; i < u16(ifd); i++) {
    const at = ifd + 2 + i * 12;
    if (u16(at) !== 259) continue;
    if (little) bytes.writeUInt16LE(0x7ffe, at + 8);
    else bytes.writeUInt16BE(0x7ffe, at + 8);
  }
  return bytes;
}

function notTiffBytes(page: number): Buffer {
  const noise = createHash('sha256').update(`page ${page}`).digest();
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    ...Array.from({ length: 2048 }, () => noise),
  ]);
}
