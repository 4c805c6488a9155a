import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { encodeEvent, FrameDecoder } from './codec';
import { EventKind, Opcode } from './protocol';
import type { TraceLine } from './trace';

/**
 * Replays a recorded ScanLink session as a scanner peer, to reproduce a field problem on the
 * bench: after the station's HELLO it sends the recorded events in order (STATUS interleaving,
 * faults, jams, page sizes and the flush edge case), pausing where the recording paused.
 * Page bytes were never recorded, so DATA carries filler of the recorded lengths and PAGE_BEGIN
 * carries the filler's hash, except for pages whose recorded bytes did not match their
 * announced hash: those are replayed corrupt again.
 */
export class TraceReplayer {
  private server: net.Server | null = null;
  private readonly events: TraceLine[];

  constructor(
    traceFile: string,
    private readonly options: { speed?: number } = {},
  ) {
    const lines = readFileSync(traceFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TraceLine);
    this.events = lines.filter((l) => l.dir === 'in' && l.type !== EventKind.HELLO);
  }

  async start(port = 0): Promise<number> {
    this.server = net.createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private serve(socket: net.Socket): void {
    const decoder = FrameDecoder.forCommands();
    let phase: 'before' | 'playing' | 'after' = 'before';
    let seq = 0;
    const idleStatus = (state: 'IDLE' | 'READY') =>
      encodeEvent(EventKind.STATUS, { state, adf: 'LOADED', buffered: 0, job: null, seq: ++seq });
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.type === Opcode.HELLO) {
          socket.write(
            encodeEvent(EventKind.HELLO, {
              vendor: 'Replay',
              model: 'Trace',
              serial: 'REPLAY',
              firmware: '0',
              protocol: 1,
              maxDpi: 2400,
              modes: ['color', 'gray', 'bw'],
              bufferBytes: 0,
            }),
          );
        } else if (frame.type === Opcode.STATUS && phase !== 'playing') {
          // Outside the recording the replayed scanner simply reports itself free.
          socket.write(idleStatus(phase === 'before' ? 'IDLE' : 'READY'));
        } else if (frame.type === Opcode.CAPTURE && phase === 'before') {
          phase = 'playing';
          void this.play(socket).then(() => {
            phase = 'after';
            if (!socket.destroyed) socket.write(idleStatus('READY'));
          });
        }
      }
    });
  }

  private async play(socket: net.Socket): Promise<void> {
    const pages = this.plannedPages();
    const speed = this.options.speed ?? 1;
    let previousT: number | null = null;
    let currentPage = 0;
    let pageBytes = 0;
    let offset = 0;
    for (const line of this.events) {
      if (previousT !== null && line.t > previousT)
        await new Promise((r) => setTimeout(r, Math.min(1000, (line.t - previousT!) / speed)));
      previousT = line.t;
      if (socket.destroyed) return;
      if (line.type === EventKind.PAGE_BEGIN) {
        const begin = line.json as { page: number; bytes: number };
        currentPage = begin.page;
        pageBytes = begin.bytes;
        offset = 0;
        const plan = pages.get(currentPage);
        socket.write(
          encodeEvent(EventKind.PAGE_BEGIN, { ...begin, sha256: plan?.announcedSha ?? '0'.repeat(64) }),
        );
      } else if (line.type === EventKind.DATA) {
        const length = line.dataBytes ?? 0;
        socket.write(encodeEvent(EventKind.DATA, filler(currentPage, pageBytes, offset, length)));
        offset += length;
      } else if (line.json !== undefined) {
        socket.write(encodeEvent(line.type, line.json as object));
      }
    }
  }

  /** For each page: the hash to announce (of the filler, or a wrong one if the original was corrupt). */
  private plannedPages(): Map<number, { announcedSha: string }> {
    const plans = new Map<number, { announcedSha: string }>();
    let page = 0;
    let hash = createHash('sha256');
    let originalAnnounced = '';
    let lastRunning = '';
    let pageBytes = 0;
    let offset = 0;
    const close = () => {
      if (page === 0) return;
      const fillerSha = hash.digest('hex');
      const wasCorrupt = lastRunning !== '' && lastRunning !== originalAnnounced;
      plans.set(page, { announcedSha: wasCorrupt ? 'f'.repeat(64) : fillerSha });
    };
    for (const line of this.events) {
      if (line.type === EventKind.PAGE_BEGIN) {
        close();
        const begin = line.json as { page: number; sha256: string; bytes: number };
        page = begin.page;
        pageBytes = begin.bytes;
        offset = 0;
        originalAnnounced = begin.sha256;
        hash = createHash('sha256');
        lastRunning = '';
      } else if (line.type === EventKind.DATA) {
        const length = line.dataBytes ?? 0;
        hash.update(filler(page, pageBytes, offset, length));
        offset += length;
        lastRunning = line.runningSha256 ?? '';
      }
    }
    close();
    return plans;
  }
}

/**
 * The bytes at `offset` of a replayed page of `total` bytes: a structurally whole TIFF (one strip
 * of filler), so a replayed page passes the station's image-structure check as the original did.
 */
function filler(page: number, total: number, offset: number, length: number): Buffer {
  const bytes = Buffer.alloc(length, page % 251);
  const header = tiffHeader(total);
  if (offset < header.length) header.copy(bytes, 0, offset, Math.min(header.length, offset + length));
  return bytes;
}

const TIFF_HEADER_BYTES = 8 + 2 + 2 * 12 + 4;

/** Header and one-strip IFD of a little-endian TIFF whose strip fills the rest of `total` bytes. */
function tiffHeader(total: number): Buffer {
  if (total < TIFF_HEADER_BYTES) return Buffer.alloc(0);
  const header = Buffer.alloc(TIFF_HEADER_BYTES);
  header.write('II*\0', 0, 'latin1');
  header.writeUInt32LE(8, 4);
  header.writeUInt16LE(2, 8);
  [
    [273, TIFF_HEADER_BYTES],
    [279, total - TIFF_HEADER_BYTES],
  ].forEach(([tag, value], i) => {
    header.writeUInt16LE(tag!, 10 + i * 12);
    header.writeUInt16LE(4, 12 + i * 12);
    header.writeUInt32LE(1, 14 + i * 12);
    header.writeUInt32LE(value!, 18 + i * 12);
  });
  return header;
}
