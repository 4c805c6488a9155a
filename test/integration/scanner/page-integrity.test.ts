import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeEvent } from '../../../electron/scanner/scanlink/codec';
import { captureTimeLimitMs } from '../../../electron/scanner/capture-time-limit';
import { EventKind, MAX_FRAME_BYTES, Opcode } from '../../../electron/scanner/scanlink/protocol';
import { slotsSink } from '../../../electron/scanner/page-sink';
import type { ScanLinkDevice } from '../../../electron/scanner/scanlink/scanlink-device';
import { tinyTiff } from '../../helpers/tiny-tiff';
import { connectToScriptedPeer, pageFrames, PEER_REQUEST, peerStatus } from '../../helpers/peer-device';
import type { ScriptedPeer } from '../../helpers/scripted-peer';
import { makeTempDir } from '../../helpers/temp-dir';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Pages the scanner announced with a broken number or a broken stream (issue: every page accounted for). */
describe('a scanner that breaks the page sequence or the stream', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let peer: ScriptedPeer;
  let device: ScanLinkDevice;
  let masters: string;

  beforeEach(async () => {
    dir = makeTempDir();
    masters = path.join(dir.path, 'J', 'masters');
    ({ peer, device } = await connectToScriptedPeer());
  });
  afterEach(async () => {
    device?.disconnect();
    await peer?.close();
    dir.cleanup();
  });

  const finishJob = async (pages: number) => {
    peer.send(EventKind.JOB_END, { job: 'J', pages, status: 'complete' });
    await peer.nextCommand(Opcode.STATUS);
    peer.send(EventKind.STATUS, peerStatus('READY', 0, null));
  };

  it('a page number sent twice never replaces the sealed master: the repeat is a protocol error', async () => {
    const capture = device.capture({ jobId: 'J', pages: 2, mastersDir: masters, ...PEER_REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    const first = tinyTiff(5000, 1);
    const again = tinyTiff(5000, 9);
    // Both in one write: the repeat begins while the first is still sealing.
    peer.writeRaw(
      Buffer.concat([pageFrames(encodeEvent, 'J', 1, first), pageFrames(encodeEvent, 'J', 1, again)]),
    );
    await finishJob(2);
    const result = await capture;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('PROTOCOL_ERROR');
    expect(result.protocolErrors).toEqual([{ page: 1, message: expect.stringMatching(/announced again/) }]);
    expect(result.pages.map((p) => [p.page, p.sha256])).toEqual([[1, sha(first)]]);
    expect(sha(readFileSync(path.join(masters, 'page-0001.tif')))).toBe(sha(first));
    expect(readdirSync(masters).sort()).toEqual(['page-0001.tif']);
  });

  it('a page number beyond what the job asked for is refused, not stored', async () => {
    const capture = device.capture({ jobId: 'J', pages: 1, mastersDir: masters, ...PEER_REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    peer.writeRaw(pageFrames(encodeEvent, 'J', 1, tinyTiff(100, 1)));
    peer.writeRaw(pageFrames(encodeEvent, 'J', 9999, tinyTiff(100, 2)));
    await finishJob(2);
    const result = await capture;
    expect(result.error?.code).toBe('PROTOCOL_ERROR');
    expect(result.protocolErrors.map((e) => e.page)).toEqual([9999]);
    expect(readdirSync(masters)).toEqual(['page-0001.tif']);
  });

  it('a second page beyond a one-page job is refused even when numbered in sequence', async () => {
    const capture = device.capture({ jobId: 'J', pages: 1, mastersDir: masters, ...PEER_REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    peer.writeRaw(pageFrames(encodeEvent, 'J', 1, tinyTiff(100, 1)));
    peer.writeRaw(pageFrames(encodeEvent, 'J', 2, tinyTiff(100, 2)));
    await finishJob(2);
    const result = await capture;
    expect(result.protocolErrors.map((e) => e.page)).toEqual([2]);
    expect(readdirSync(masters)).toEqual(['page-0001.tif']);
  });

  it('garbage in the same read as a PAGE_END keeps the page, then drops the link', async () => {
    const capture = device.capture({ jobId: 'J', pages: 2, mastersDir: masters, ...PEER_REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    const page = tinyTiff(3000, 7);
    peer.writeRaw(Buffer.concat([pageFrames(encodeEvent, 'J', 1, page), Buffer.from([0x99, 0x00, 0x01])]));
    const result = await capture;
    expect(result.status).toBe('interrupted');
    expect(result.pages.map((p) => [p.page, p.sha256])).toEqual([[1, sha(page)]]);
    expect(readdirSync(masters)).toEqual(['page-0001.tif']);
  });

  it('an oversized declared length in the same read as a PAGE_END keeps the page', async () => {
    const capture = device.capture({ jobId: 'J', pages: 2, mastersDir: masters, ...PEER_REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    const huge = Buffer.from([0x02, EventKind.DATA, 0, 0, 0, 0]);
    huge.writeUInt32BE(MAX_FRAME_BYTES + 1, 2);
    peer.writeRaw(Buffer.concat([pageFrames(encodeEvent, 'J', 1, tinyTiff(3000, 5)), huge]));
    const result = await capture;
    expect(result.pages.map((p) => p.page)).toEqual([1]);
  });

  /** A capture whose sink notes, for each page named, whether capture() had resolved yet. */
  const watchedCapture = (pages: number) => {
    const named: Array<[number, 'before' | 'after']> = [];
    let resolved = false;
    const sink = slotsSink([1, 2, 3].slice(0, pages), null, (p) => {
      named.push([p.page, resolved ? 'after' : 'before']);
    });
    const done = device.capture({ jobId: 'J', pages, mastersDir: masters, ...PEER_REQUEST, sink });
    return {
      named,
      result: done.then((r) => {
        resolved = true;
        return r;
      }),
    };
  };
  const malformedStatus = () =>
    encodeEvent(EventKind.STATUS, { state: 'BOGUS', adf: 'LOADED', buffered: 0, job: 'J', seq: 1 });

  it('a page sent in the same read after a malformed event is never kept late: its sheet is in doubt', async () => {
    const { named, result: capture } = watchedCapture(3);
    await peer.nextCommand(Opcode.CAPTURE);
    const first = tinyTiff(3000, 1);
    // The malformed STATUS resets the link; page 2 came in the same read, from the dead stream.
    peer.writeRaw(
      Buffer.concat([
        pageFrames(encodeEvent, 'J', 1, first),
        malformedStatus(),
        pageFrames(encodeEvent, 'J', 2, tinyTiff(3000, 2)),
      ]),
    );
    const result = await capture;
    const returned = result.pages.map((p) => p.page);
    // The scanner wrote page 2 out whole and counts it as delivered: retried at once, its next
    // sheet would take page 2. The scanner holds until that sheet is put back and reset.
    expect(result).toMatchObject({
      status: 'jammed',
      sheetLeftFeeder: 2,
      fault: { code: 'SHEET_IN_DOUBT', message: expect.stringMatching(/^page 2 was being scanned/) },
      error: { code: 'SHEET_IN_DOUBT', transient: false },
    });
    expect(returned).toEqual([1]);
    expect(result.pages[0]?.sha256).toBe(sha(first));
    expect(named).toEqual([[1, 'before']]);
    expect(result.pages.map((p) => p.page)).toEqual(returned);
    expect(readdirSync(masters)).toEqual(['page-0001.tif']);
    expect(device.status()).toMatchObject({ state: 'JAMMED', alert: { code: 'SHEET_IN_DOUBT', job: 'J' } });

    // Held: nothing is captured until the reset, then page 2 is filled by the sheet put back.
    await peer.nextCommand(Opcode.HELLO);
    peer.send(EventKind.STATUS, peerStatus('IDLE', 0, null));
    const refused = await device.capture({ jobId: 'J', pages: 2, mastersDir: masters, ...PEER_REQUEST });
    expect(refused.error?.code).toBe('JAMMED');
    await device.reset();
    expect(device.status().state).toBe('IDLE');
    const resumed = device.capture({ jobId: 'J', pages: 2, mastersDir: masters, ...PEER_REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    const again = tinyTiff(3000, 2);
    peer.writeRaw(pageFrames(encodeEvent, 'J', 1, again));
    peer.send(EventKind.JOB_END, { job: 'J', pages: 1, status: 'complete' });
    peer.send(EventKind.STATUS, peerStatus('READY', 0, null));
    expect((await resumed).pages.map((p) => [p.page, p.sha256])).toEqual([[2, sha(again)]]);
  });

  it('a malformed event with no page data after it in the read is a dropped link, as before', async () => {
    const { named, result: capture } = watchedCapture(2);
    await peer.nextCommand(Opcode.CAPTURE);
    peer.writeRaw(Buffer.concat([pageFrames(encodeEvent, 'J', 1, tinyTiff(3000, 1)), malformedStatus()]));
    const result = await capture;
    expect(result).toMatchObject({ status: 'interrupted', error: { code: 'CONNECTION_LOST' } });
    expect(result.pages.map((p) => p.page)).toEqual([1]);
    expect(named).toEqual([[1, 'before']]);
    expect(device.status().alert).toBeNull();
  });

  it('a scanner that never sends JOB_END is aborted at the time limit, keeping its pages', async () => {
    const capture = device.capture({
      jobId: 'J',
      pages: 2,
      mastersDir: masters,
      timeLimitMs: 400,
      ...PEER_REQUEST,
    });
    await peer.nextCommand(Opcode.CAPTURE);
    peer.writeRaw(pageFrames(encodeEvent, 'J', 1, tinyTiff(100, 1)));
    // It keeps answering STATUS as if working, but the second page and JOB_END never come.
    peer.send(EventKind.STATUS, peerStatus('CAPTURING', 0, 'J'));
    const result = await capture;
    expect(result.error).toMatchObject({ code: 'CAPTURE_TIMEOUT', transient: true });
    expect(result.pages.map((p) => p.page)).toEqual([1]);
    const abort = await peer.nextCommand(Opcode.ABORT);
    expect(JSON.parse(abort.payload.toString())).toEqual({ job: 'J' });
  });
});

describe('the capture time limit', () => {
  it('grows with pages and with resolution, and stays bounded', () => {
    const gray300 = { dpi: 300, mode: 'gray' as const, bitDepth: 8 as const };
    const color600 = { dpi: 600, mode: 'color' as const, bitDepth: 16 as const };
    expect(captureTimeLimitMs({ ...gray300, pages: 10 })).toBeGreaterThan(
      captureTimeLimitMs({ ...gray300, pages: 1 }),
    );
    expect(captureTimeLimitMs({ ...color600, pages: 1 })).toBeGreaterThan(
      captureTimeLimitMs({ ...gray300, pages: 1 }),
    );
    expect(captureTimeLimitMs({ ...gray300, pages: null })).toBe(
      captureTimeLimitMs({ ...gray300, pages: 1 }),
    );
    expect(Number.isFinite(captureTimeLimitMs({ ...color600, pages: 10_000 }))).toBe(true);
  });
});
