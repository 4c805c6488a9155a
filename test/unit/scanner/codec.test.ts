import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeCommand,
  encodeEvent,
  FrameDecoder,
  ScanLinkStreamError,
  type Frame,
} from '../../../electron/scanner/scanlink/codec';
import { EventKind, MAX_FRAME_BYTES, Opcode } from '../../../electron/scanner/scanlink/protocol';

const frameArb = fc.record({
  type: fc.constantFrom(...Object.values(EventKind), 0x7a /* unknown kind */),
  payload: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
});

/** Splits a buffer at the given cut points. */
function split(stream: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    parts.push(stream.subarray(start, p));
    start = p;
  }
  parts.push(stream.subarray(start));
  return parts;
}

function decodeAll(decoder: FrameDecoder, parts: Buffer[]): Frame[] {
  return parts.flatMap((p) => decoder.push(p));
}

describe('ScanLink/1 frame codec', () => {
  it('gets identical frames back however the stream is re-split (property)', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (frames, cuts) => {
          const stream = Buffer.concat(frames.map((f) => encodeEvent(f.type, f.payload)));
          const decoded = decodeAll(FrameDecoder.forEvents(), split(stream, cuts));
          expect(decoded.map((f) => ({ type: f.type, payload: Buffer.from(f.payload) }))).toEqual(frames);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes a stream fed one byte at a time', () => {
    const frames = [
      encodeEvent(EventKind.STATUS, { state: 'IDLE', adf: 'LOADED', buffered: 0, job: null, seq: 1 }),
      encodeEvent(EventKind.DATA, Buffer.alloc(5000, 7)),
      encodeEvent(EventKind.PAGE_END, { job: 'J', page: 1 }),
    ];
    const stream = Buffer.concat(frames);
    const boundaries = new Set(
      frames.map((_, i) => frames.slice(0, i + 1).reduce((n, f) => n + f.length, 0)),
    );
    const decoder = FrameDecoder.forEvents();
    const out: Frame[] = [];
    for (let i = 0; i < stream.length; i++) {
      out.push(...decoder.push(stream.subarray(i, i + 1)));
      // Between frame boundaries some bytes are always held back, unparsed.
      expect(decoder.pendingBytes > 0).toBe(!boundaries.has(i + 1));
    }
    expect(out.map((f) => f.type)).toEqual([EventKind.STATUS, EventKind.DATA, EventKind.PAGE_END]);
    expect(out[1]!.payload.equals(Buffer.alloc(5000, 7))).toBe(true);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('splitting at every byte offset of a two-frame stream gives the same frames', () => {
    const stream = Buffer.concat([
      encodeEvent(EventKind.HELLO, { a: 1 }),
      encodeEvent(EventKind.DATA, Buffer.from('abcdef')),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const frames = decodeAll(FrameDecoder.forEvents(), [stream.subarray(0, cut), stream.subarray(cut)]);
      expect(frames.map((f) => f.payload.toString())).toEqual(['{"a":1}', 'abcdef']);
    }
  });

  it('refuses a declared length over 64 MiB from the header alone, before the payload arrives', () => {
    const header = Buffer.from([0x02, EventKind.DATA, 0, 0, 0, 0]);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1, 2);
    const decoder = FrameDecoder.forEvents();
    expect(() => decoder.push(header)).toThrow(ScanLinkStreamError);
    // Nothing was allocated for the payload, and a dead stream never counts as drained (rule 1).
    expect(decoder.pendingBytes).toBeGreaterThan(0);
  });

  it('accepts exactly 64 MiB as a declared length (it waits for the bytes)', () => {
    const header = Buffer.from([0x02, EventKind.DATA, 0, 0, 0, 0]);
    header.writeUInt32BE(MAX_FRAME_BYTES, 2);
    expect(FrameDecoder.forEvents().push(header)).toEqual([]);
  });

  it('reports a stream out of step and stays dead afterwards', () => {
    const decoder = FrameDecoder.forEvents();
    const good = encodeEvent(EventKind.STATUS, { x: 1 });
    expect(() => decoder.push(Buffer.from([0x99, 1, 2]))).toThrow(/out of step|marker/);
    expect(() => decoder.push(good)).toThrow(ScanLinkStreamError);
  });

  it('delivers the frames cut before garbage in the same read, then is dead', () => {
    const decoder = FrameDecoder.forEvents();
    const end = encodeEvent(EventKind.PAGE_END, { job: 'J', page: 1 });
    const frames = decoder.push(Buffer.concat([end, Buffer.from([0x99, 1, 2])]));
    expect(frames.map((f) => f.type)).toEqual([EventKind.PAGE_END]);
    expect(decoder.error?.reason).toBe('OUT_OF_STEP');
    expect(decoder.pendingBytes).toBeGreaterThan(0);
    expect(() => decoder.push(end)).toThrow(ScanLinkStreamError);
  });

  it('delivers the frames cut before an oversized declared length in the same read', () => {
    const decoder = FrameDecoder.forEvents();
    const end = encodeEvent(EventKind.PAGE_END, { job: 'J', page: 1 });
    const huge = Buffer.from([0x02, EventKind.DATA, 0, 0, 0, 0]);
    huge.writeUInt32BE(MAX_FRAME_BYTES + 1, 2);
    expect(decoder.push(Buffer.concat([end, huge])).map((f) => f.type)).toEqual([EventKind.PAGE_END]);
    expect(decoder.error?.reason).toBe('FRAME_TOO_LARGE');
  });

  it('hands unknown event kinds over with their payload so they can be skipped by length', () => {
    const stream = Buffer.concat([
      encodeEvent(0x7a, Buffer.from('future')),
      encodeEvent(EventKind.PAGE_END, { job: 'J', page: 2 }),
    ]);
    const frames = FrameDecoder.forEvents().push(stream);
    expect(frames.map((f) => f.type)).toEqual([0x7a, EventKind.PAGE_END]);
  });

  it('encodes commands as the protocol page shows (STATUS is 01 05 00 00)', () => {
    expect(encodeCommand(Opcode.STATUS)).toEqual(Buffer.from([1, 5, 0, 0]));
    const capture = encodeCommand(Opcode.CAPTURE, {
      job: 'B7',
      pages: 1,
      dpi: 600,
      mode: 'gray',
      bitDepth: 8,
    });
    expect(capture.subarray(0, 4)).toEqual(Buffer.from([0x01, 0x10, 0x00, 0x3b]));
    const [frame] = FrameDecoder.forCommands().push(capture);
    expect(JSON.parse(frame!.payload.toString())).toMatchObject({ job: 'B7', dpi: 600 });
  });
});
