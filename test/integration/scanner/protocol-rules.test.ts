import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeEventHeader } from '../../../electron/scanner/scanlink/codec';
import { EventKind, MAX_FRAME_BYTES, Opcode } from '../../../electron/scanner/scanlink/protocol';
import { type ScanLinkDevice } from '../../../electron/scanner/scanlink/scanlink-device';
import { tinyTiff } from '../../helpers/tiny-tiff';
import { connectToScriptedPeer, pageBegin, PEER_REQUEST, peerStatus } from '../../helpers/peer-device';
import { HELLO_PAYLOAD, type startScriptedPeer, type ScriptedPeer } from '../../helpers/scripted-peer';
import { makeTempDir } from '../../helpers/temp-dir';

const status = peerStatus;
const REQUEST = PEER_REQUEST;

describe('ScanLink/1 rules against a scripted peer', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let peer: ScriptedPeer;
  let device: ScanLinkDevice;
  let masters: string;

  async function connect(
    peerOptions: Parameters<typeof startScriptedPeer>[0] = {},
    deviceOptions: Partial<ConstructorParameters<typeof ScanLinkDevice>[0]> = {},
  ) {
    ({ peer, device } = await connectToScriptedPeer(peerOptions, deviceOptions));
  }

  function sendPage(job: string, page: number, bytes: Buffer, between?: () => void) {
    peer.send(EventKind.PAGE_BEGIN, pageBegin(job, page, bytes));
    const half = Math.floor(bytes.length / 2);
    peer.send(EventKind.DATA, bytes.subarray(0, half));
    between?.();
    peer.send(EventKind.DATA, bytes.subarray(half));
    peer.send(EventKind.PAGE_END, { job, page });
  }

  beforeEach(() => {
    dir = makeTempDir();
    masters = path.join(dir.path, 'J', 'masters');
  });
  afterEach(async () => {
    device?.disconnect();
    await peer?.close();
    dir.cleanup();
  });

  it('rule 1: READY with bytes buffered is not the end; the device frees only after JOB_END and a drained STATUS', async () => {
    await connect();
    const capture = device.capture({ jobId: 'J', pages: 3, mastersDir: masters, ...REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    let settled = false;
    void capture.then(() => (settled = true));

    sendPage('J', 1, tinyTiff(4000, 1));
    // The feeder stopped: READY, but 8000 bytes are still in the scanner, and pages keep coming.
    peer.send(EventKind.STATUS, status('READY', 8000, 'J'));
    sendPage('J', 2, tinyTiff(4000, 2), () => peer.send(EventKind.STATUS, status('READY', 6000, 'J')));
    sendPage('J', 3, tinyTiff(4000, 3));
    peer.send(EventKind.STATUS, status('READY', 0, 'J'));
    await peer.nextCommand(Opcode.STATUS); // the device keeps asking; nothing resolves before JOB_END
    expect(settled).toBe(false);
    expect(device.isFree()).toBe(false);

    peer.send(EventKind.JOB_END, { job: 'J', pages: 3, status: 'complete' });
    await peer.nextCommand(Opcode.STATUS); // JOB_END makes the device ask for a fresh STATUS
    expect(settled).toBe(false);
    peer.send(EventKind.STATUS, status('READY', 0, null));
    const result = await capture;
    expect(result.status).toBe('complete');
    expect(result.pages.map((p) => p.page)).toEqual([1, 2, 3]);
    expect(device.isFree()).toBe(true);
  });

  it('rule 1: a STATUS with buffered > 0 after JOB_END keeps the device busy', async () => {
    await connect();
    const capture = device.capture({ jobId: 'J', pages: 1, mastersDir: masters, ...REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    sendPage('J', 1, tinyTiff(100, 1));
    peer.send(EventKind.JOB_END, { job: 'J', pages: 1, status: 'complete' });
    await peer.nextCommand(Opcode.STATUS);
    peer.send(EventKind.STATUS, status('READY', 500, null));
    // A second capture must not be sent while the first is still draining.
    const second = device.capture({ jobId: 'K', pages: 1, mastersDir: path.join(dir.path, 'K'), ...REQUEST });
    await expect(second).resolves.toMatchObject({ error: { code: 'DEVICE_BUSY' } });
    peer.send(EventKind.STATUS, status('IDLE', 0, null));
    await expect(capture).resolves.toMatchObject({ status: 'complete' });
    expect(peer.commands.filter((c) => c.type === Opcode.CAPTURE)).toHaveLength(1);
  });

  it('rule 4: BUSY makes the device wait until the scanner is free, then send CAPTURE again', async () => {
    await connect();
    const capture = device.capture({ jobId: 'J', pages: 1, mastersDir: masters, ...REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    peer.send(EventKind.FAULT, { code: 'BUSY', job: 'OTHER', page: null, message: 'busy' });
    peer.send(EventKind.STATUS, status('FLUSHING', 100, 'OTHER'));
    peer.send(EventKind.STATUS, status('IDLE', 0, null));
    await peer.nextCommand(Opcode.CAPTURE);
    sendPage('J', 1, tinyTiff(64, 9));
    peer.send(EventKind.JOB_END, { job: 'J', pages: 1, status: 'complete' });
    peer.send(EventKind.STATUS, status('IDLE', 0, null));
    await expect(capture).resolves.toMatchObject({ status: 'complete' });
  });

  it('rule 8: BAD_COMMAND is fatal for the job and not retried', async () => {
    await connect();
    const capture = device.capture({ jobId: 'J', pages: 1, mastersDir: masters, ...REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    peer.send(EventKind.FAULT, { code: 'BAD_COMMAND', job: null, page: null, message: 'dpi unsupported' });
    await expect(capture).resolves.toMatchObject({
      status: 'failed',
      error: { code: 'BAD_COMMAND', transient: false },
    });
  });

  it('rule 7: skips unknown event kinds by their length', async () => {
    await connect();
    const capture = device.capture({ jobId: 'J', pages: 1, mastersDir: masters, ...REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    peer.send(0x7a, Buffer.from('a future event kind'));
    sendPage('J', 1, tinyTiff(64, 4), () => peer.send(0x7b, { whatever: true }));
    peer.send(EventKind.JOB_END, { job: 'J', pages: 1, status: 'complete' });
    peer.send(EventKind.STATUS, status('IDLE', 0, null));
    await expect(capture).resolves.toMatchObject({ status: 'complete' });
  });

  it('rule 7: a stream out of step closes the connection and reconnects, never guessing', async () => {
    await connect();
    peer.writeRaw(Buffer.from([0x99, 0x01, 0x02]));
    await peer.nextCommand(Opcode.HELLO); // a second HELLO: a new connection
    expect(peer.connections).toBe(2);
  });

  it('rule 9: a declared length over 64 MiB closes the connection without allocating it', async () => {
    await connect();
    peer.writeRaw(encodeEventHeader(EventKind.DATA, MAX_FRAME_BYTES + 1));
    await peer.nextCommand(Opcode.HELLO);
    expect(peer.connections).toBe(2);
  });

  it('rule 6: a drop mid-page leaves no partial file under a final name', async () => {
    await connect();
    const capture = device.capture({ jobId: 'J', pages: 2, mastersDir: masters, ...REQUEST });
    await peer.nextCommand(Opcode.CAPTURE);
    sendPage('J', 1, tinyTiff(1000, 1));
    const bytes = tinyTiff(1000, 2);
    peer.send(EventKind.PAGE_BEGIN, {
      job: 'J',
      page: 2,
      bytes: 1000,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      format: 'tiff',
      width: 1,
      height: 1,
      dpi: 300,
      mode: 'gray',
      bitDepth: 8,
    });
    peer.send(EventKind.DATA, bytes.subarray(0, 500));
    await peer.nextCommand(Opcode.STATUS).catch(() => {});
    peer.dropConnection();
    await expect(capture).resolves.toMatchObject({ status: 'interrupted' });
    expect(readdirSync(masters)).toEqual(['page-0001.tif']);
    expect(existsSync(path.join(masters, 'page-0002.tif.part'))).toBe(false);
  });

  it('the circuit breaker opens after repeated link failures and refuses at once', async () => {
    await connect({}, { breakerThreshold: 2, breakerRecoveryMs: 60_000, readyTimeoutMs: 200 });
    await peer.close();
    const first = await device.capture({ jobId: 'J', pages: 1, mastersDir: masters, ...REQUEST });
    const second = await device.capture({ jobId: 'J', pages: 1, mastersDir: masters, ...REQUEST });
    // Both are link failures, whether the drop was noticed mid-job or before it.
    for (const result of [first, second])
      expect(['OFFLINE', 'CONNECTION_LOST']).toContain(result.error?.code);
    expect(device.status().breaker).toBe('open');
    await expect(
      device.capture({ jobId: 'J', pages: 1, mastersDir: masters, ...REQUEST }),
    ).resolves.toMatchObject({
      error: { code: 'CIRCUIT_OPEN', transient: true },
    });
  });

  it('the scanner HELLO identifies the device in its status', async () => {
    await connect();
    const identified = new Promise<void>((resolve) => {
      const check = () => (device.status().identity ? resolve() : undefined);
      device.on('status', check);
      check();
    });
    await identified;
    expect(device.status().identity).toMatchObject({
      vendor: HELLO_PAYLOAD.vendor,
      serial: HELLO_PAYLOAD.serial,
    });
  });
});
