import net from 'node:net';
import { encodeEvent, FrameDecoder, type Frame } from '../../electron/scanner/scanlink/codec';
import { EventKind } from '../../electron/scanner/scanlink/protocol';

/**
 * A hand-scripted ScanLink/1 peer for edge cases the simulator does not produce: the test
 * decides what to answer to each command and can write raw bytes.
 */
export interface ScriptedPeer {
  port: number;
  /** Every command received, in order. */
  commands: Frame[];
  connections: number;
  nextCommand(opcode?: number): Promise<Frame>;
  send(kind: number, payload: Buffer | object): void;
  writeRaw(bytes: Buffer): void;
  dropConnection(): void;
  close(): Promise<void>;
}

export const HELLO_PAYLOAD = {
  vendor: 'Test',
  model: 'Scripted',
  serial: 'T-1',
  firmware: '0',
  protocol: 1,
  maxDpi: 600,
  modes: ['gray'],
  bufferBytes: 1 << 20,
};

export async function startScriptedPeer(
  options: { autoHello?: boolean; status?: () => object } = {},
): Promise<ScriptedPeer> {
  let socket: net.Socket | null = null;
  const commands: Frame[] = [];
  const cursors = new Map<number, number>();
  let waiters: Array<{ key: number; index: number; resolve: (f: Frame) => void }> = [];
  let connections = 0;
  const matching = (key: number) => commands.filter((c) => key === -1 || c.type === key);
  const flush = () => {
    waiters = waiters.filter((w) => {
      const frame = matching(w.key)[w.index];
      if (frame) w.resolve(frame);
      return !frame;
    });
  };
  const server = net.createServer((s) => {
    socket = s;
    connections += 1;
    const decoder = FrameDecoder.forCommands();
    s.on('error', () => {});
    s.on('data', (chunk) => {
      for (const frame of decoder.push(chunk)) {
        commands.push(frame);
        if (options.autoHello !== false && frame.type === 0x02)
          s.write(encodeEvent(EventKind.HELLO, HELLO_PAYLOAD));
        if (options.status && frame.type === 0x05) s.write(encodeEvent(EventKind.STATUS, options.status()));
        flush();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    commands,
    get connections() {
      return connections;
    },
    nextCommand(opcode) {
      // Each call hands out the next matching command, waiting for it if it has not come yet.
      const key = opcode ?? -1;
      const index = cursors.get(key) ?? 0;
      cursors.set(key, index + 1);
      return new Promise((resolve) => {
        waiters.push({ key, index, resolve });
        flush();
      });
    },
    send(kind, payload) {
      socket?.write(encodeEvent(kind, payload));
    },
    writeRaw(bytes) {
      socket?.write(bytes);
    },
    dropConnection() {
      socket?.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        socket?.destroy();
        server.close(() => resolve());
      }),
  };
}
