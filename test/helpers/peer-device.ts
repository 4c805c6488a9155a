import { createHash } from 'node:crypto';
import { EventKind, Opcode } from '../../electron/scanner/scanlink/protocol';
import { ScanLinkDevice } from '../../electron/scanner/scanlink/scanlink-device';
import { startScriptedPeer, type ScriptedPeer } from './scripted-peer';

export const peerStatus = (state: string, buffered: number, job: string | null, seq = 0) => ({
  state,
  adf: 'LOADED',
  buffered,
  job,
  seq,
});

export const PEER_REQUEST = { dpi: 300, mode: 'gray' as const, bitDepth: 8 as const };

/** A ScanLinkDevice connected to a scripted peer, online and IDLE. */
export async function connectToScriptedPeer(
  peerOptions: Parameters<typeof startScriptedPeer>[0] = {},
  deviceOptions: Partial<ConstructorParameters<typeof ScanLinkDevice>[0]> = {},
): Promise<{ peer: ScriptedPeer; device: ScanLinkDevice }> {
  const peer = await startScriptedPeer(peerOptions);
  const device = new ScanLinkDevice({
    config: {
      name: 'peer',
      host: '127.0.0.1',
      port: peer.port,
      profile: { dpi: 300, mode: 'gray', bitDepth: 8 },
    },
    readyTimeoutMs: 3000,
    connection: { reconnectInitialMs: 10, reconnectMaxMs: 50, keepaliveMs: 60_000 },
    ...deviceOptions,
  });
  device.connect();
  await peer.nextCommand(Opcode.HELLO);
  peer.send(EventKind.STATUS, peerStatus('IDLE', 0, null));
  return { peer, device };
}

/** The PAGE_BEGIN payload announcing these bytes truthfully. */
export function pageBegin(job: string, page: number, bytes: Buffer): object {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return {
    job,
    page,
    bytes: bytes.length,
    sha256,
    format: 'tiff',
    width: 10,
    height: 10,
    dpi: 300,
    mode: 'gray',
    bitDepth: 8,
  };
}

/** The frames of one page, PAGE_BEGIN to PAGE_END, as one buffer (to send in a single read). */
export function pageFrames(
  encode: (kind: number, payload: Buffer | object) => Buffer,
  job: string,
  page: number,
  bytes: Buffer,
): Buffer {
  return Buffer.concat([
    encode(EventKind.PAGE_BEGIN, pageBegin(job, page, bytes)),
    encode(EventKind.DATA, bytes),
    encode(EventKind.PAGE_END, { job, page }),
  ]);
}
