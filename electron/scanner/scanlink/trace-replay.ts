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
    for (const line of this.events) {
      if (previousT !== null && line.t > previousT)
        await new Promise((r) => setTimeout(r, Math.min(1000, (line.t - previousT!) / speed)));
      previousT = line.t;
      if (socket.destroyed) return;
      if (line.type === EventKind.PAGE_BEGIN) {
        const begin = line.json as { page: number; bytes: number };
        currentPage = begin.page;
        const plan = pages.get(currentPage);
        socket.write(
          encodeEvent(EventKind.PAGE_BEGIN, { ...begin, sha256: plan?.announcedSha ?? '0'.repeat(64) }),
        );
      } else if (line.type === EventKind.DATA) {
        socket.write(encodeEvent(EventKind.DATA, filler(currentPage, line.dataBytes ?? 0)));
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
    const close = () => {
      if (page === 0) return;
      const fillerSha = hash.digest('hex');
      const wasCorrupt = lastRunning !== '' && lastRunning !== originalAnnounced;
      plans.set(page, { announcedSha: wasCorrupt ? 'f'.repeat(64) : fillerSha });
    };
    for (const line of this.events) {
      if (line.type === EventKind.PAGE_BEGIN) {
        close();
        const begin = line.json as { page: number; sha256: string };
        page = begin.page;
        originalAnnounced = begin.sha256;
        hash = createHash('sha256');
        lastRunning = '';
      } else if (line.type === EventKind.DATA) {
        hash.update(filler(page, line.dataBytes ?? 0));
        lastRunning = line.runningSha256 ?? '';
      }
    }
    close();
    return plans;
  }
}

function filler(page: number, length: number): Buffer {
  return Buffer.alloc(length, page % 251);
}
