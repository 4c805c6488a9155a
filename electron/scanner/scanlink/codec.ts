import {
  COMMAND_HEADER_BYTES,
  COMMAND_MARKER,
  EVENT_HEADER_BYTES,
  EVENT_MARKER,
  MAX_FRAME_BYTES,
} from './protocol';

/**
 * One frame cut from the stream: its kind (event) or opcode (command) and its payload. For
 * kinds the decoder streams (DATA), a frame's payload may arrive as several consecutive Frame
 * pieces of the same type, straight from the socket's buffers; `last` marks the final piece.
 */
export interface Frame {
  type: number;
  payload: Buffer;
  last?: boolean;
}

/** The stream is out of step (rule 7) or declares an impossible length (rule 9). */
export class ScanLinkStreamError extends Error {
  override readonly name = 'ScanLinkStreamError';
  constructor(
    readonly reason: 'OUT_OF_STEP' | 'FRAME_TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

interface FrameLayout {
  marker: number;
  headerBytes: number;
  readLength(header: Buffer): number;
  maxPayload: number;
}

const EVENT_LAYOUT: FrameLayout = {
  marker: EVENT_MARKER,
  headerBytes: EVENT_HEADER_BYTES,
  readLength: (h) => h.readUInt32BE(2),
  maxPayload: MAX_FRAME_BYTES,
};

const COMMAND_LAYOUT: FrameLayout = {
  marker: COMMAND_MARKER,
  headerBytes: COMMAND_HEADER_BYTES,
  readLength: (h) => h.readUInt16BE(2),
  maxPayload: 0xffff,
};

/**
 * A streaming frame decoder: feed it whatever a socket read returned (half a frame, one byte,
 * several frames) and it returns every frame completed so far. It keeps the chunks it was given
 * and joins them only when a frame is complete, so bytes are copied at most once, and it
 * checks a frame's declared length before holding any of its payload. After an error the
 * decoder is dead: the connection must be closed and reopened (never resynchronised by guessing).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed: ScanLinkStreamError | null = null;
  private bytesAtFailure = 0;
  /** The kind and the bytes still to come of a payload being streamed. */
  private streaming: { type: number; remaining: number } | null = null;

  private constructor(
    private readonly layout: FrameLayout,
    private readonly streamedKinds: ReadonlySet<number> = new Set(),
  ) {}

  /**
   * @param streamedKinds event kinds whose payloads are handed over piece by piece as they
   * arrive (DATA: page bytes are never assembled into frame-sized copies).
   */
  static forEvents(streamedKinds: ReadonlySet<number> = new Set()): FrameDecoder {
    return new FrameDecoder(EVENT_LAYOUT, streamedKinds);
  }

  static forCommands(): FrameDecoder {
    return new FrameDecoder(COMMAND_LAYOUT);
  }

  /** Bytes received but not yet part of a complete frame (rule 1: must be 0 before "free"). */
  get pendingBytes(): number {
    // A broken stream is never "drained": its unparsed bytes can no longer be accounted for.
    if (this.failed) return Math.max(1, this.bytesAtFailure);
    return this.buffered + (this.streaming?.remaining ?? 0);
  }

  /** Set once the stream is out of step or declared an impossible length; the decoder is dead. */
  get error(): ScanLinkStreamError | null {
    return this.failed;
  }

  /**
   * Returns every frame completed so far. When the stream turns bad within this read, the
   * frames cut before the bad bytes are still returned (a page whose PAGE_END arrived in the
   * same read as garbage is complete and must be kept) and `error` is set; the error is thrown
   * at once only when no frame precedes it, and by every later push.
   */
  push(chunk: Buffer): Frame[] {
    if (this.failed) throw this.failed;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      let frame: Frame | null;
      try {
        frame = this.next();
      } catch (error) {
        if (frames.length === 0) throw error;
        return frames;
      }
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  private next(): Frame | null {
    const { headerBytes, marker } = this.layout;
    if (this.streaming) return this.nextPiece();
    if (this.buffered === 0) return null;
    const first = this.chunks[0]![0]!;
    if (first !== marker) {
      return this.fail('OUT_OF_STEP', `expected frame marker 0x${hex(marker)}, got 0x${hex(first)}`);
    }
    if (this.buffered < headerBytes) return null;
    const header = this.peek(headerBytes);
    const length = this.layout.readLength(header);
    if (length > this.layout.maxPayload) {
      return this.fail(
        'FRAME_TOO_LARGE',
        `frame declares ${length} bytes; the limit is ${this.layout.maxPayload}`,
      );
    }
    const type = header[1]!;
    if (this.streamedKinds.has(type) && length > 0) {
      this.consume(headerBytes);
      this.streaming = { type, remaining: length };
      return this.nextPiece();
    }
    if (this.buffered < headerBytes + length) return null;
    this.consume(headerBytes);
    return { type, payload: this.consume(length) };
  }

  /** The next piece of a streamed payload: whatever part of it is here, without copying. */
  private nextPiece(): Frame | null {
    const streaming = this.streaming!;
    const first = this.chunks[0];
    if (!first) return null;
    const take = Math.min(first.length, streaming.remaining);
    const payload = this.consume(take);
    streaming.remaining -= take;
    const last = streaming.remaining === 0;
    if (last) this.streaming = null;
    return { type: streaming.type, payload, last };
  }

  private fail(reason: ScanLinkStreamError['reason'], message: string): never {
    this.failed = new ScanLinkStreamError(reason, message);
    this.bytesAtFailure = this.buffered;
    this.chunks = [];
    this.buffered = 0;
    throw this.failed;
  }

  /** The first n bytes without consuming them (n is a header: a few bytes). */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.chunks, Math.min(this.buffered, n + 16)).subarray(0, n);
  }

  /** Removes and returns n bytes; a slice without copying when they lie in one chunk. */
  private consume(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[0]!;
      const take = Math.min(chunk.length, n - written);
      chunk.copy(out, written, 0, take);
      written += take;
      if (take === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(take);
    }
    return out;
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

function jsonPayload(payload: unknown): Buffer {
  return payload === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(payload), 'utf8');
}

export function encodeCommand(opcode: number, payload?: unknown): Buffer {
  const body = jsonPayload(payload);
  if (body.length > 0xffff) throw new RangeError(`command payload of ${body.length} bytes exceeds 65535`);
  const header = Buffer.allocUnsafe(COMMAND_HEADER_BYTES);
  header[0] = COMMAND_MARKER;
  header[1] = opcode;
  header.writeUInt16BE(body.length, 2);
  return Buffer.concat([header, body]);
}

/** An event frame header; DATA payloads are written after it without being copied. */
export function encodeEventHeader(kind: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(EVENT_HEADER_BYTES);
  header[0] = EVENT_MARKER;
  header[1] = kind;
  header.writeUInt32BE(length, 2);
  return header;
}

export function encodeEvent(kind: number, payload: Buffer | object): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : jsonPayload(payload);
  return Buffer.concat([encodeEventHeader(kind, body.length), body]);
}

export function parseJson(payload: Buffer): unknown {
  return JSON.parse(payload.toString('utf8'));
}
