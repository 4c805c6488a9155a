import WebSocket from 'ws';
import {
  BRIDGE_PROTOCOL_PREFIX,
  BridgeMessage,
  type WireEvent,
  type WireResult,
} from '../../shared/contract/index';

/** A Node client for the loopback bridge, speaking exactly what the browser transport speaks. */
export interface BridgeTestClient {
  invoke(command: string, input: unknown): Promise<WireResult>;
  /** Sends text as it stands; resolves with the reply to `id` (-1: a message the bridge could not read). */
  sendRaw(data: string, id?: number): Promise<BridgeMessage>;
  nextEvent(predicate?: (e: WireEvent) => boolean): Promise<WireEvent>;
  /** Every event this connection has received, in order. */
  readonly received: readonly WireEvent[];
  close(): void;
}

export function connectBridge(
  wsUrl: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<BridgeTestClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, [BRIDGE_PROTOCOL_PREFIX + token], { headers });
    const waiting = new Map<number, (m: BridgeMessage) => void>();
    const eventWaiters: Array<{ predicate: (e: WireEvent) => boolean; resolve: (e: WireEvent) => void }> = [];
    const received: WireEvent[] = [];
    let nextId = 1;
    ws.on('message', (data) => {
      const message = BridgeMessage.parse(JSON.parse(data.toString()));
      if (message.type === 'event') {
        received.push(message.event);
        const index = eventWaiters.findIndex((w) => w.predicate(message.event));
        if (index >= 0) eventWaiters.splice(index, 1)[0]?.resolve(message.event);
        return;
      }
      const waiter = waiting.get(message.id);
      waiting.delete(message.id);
      waiter?.(message);
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        invoke(command, input) {
          const id = nextId++;
          return new Promise((done) => {
            waiting.set(id, (m) =>
              done(
                m.type === 'result' ? m.result : { ok: false, error: { code: 'INTERNAL', message: 'event' } },
              ),
            );
            ws.send(JSON.stringify({ type: 'invoke', id, command, input }));
          });
        },
        sendRaw(data, id = -1) {
          return new Promise((done) => {
            waiting.set(id, done);
            ws.send(data);
          });
        },
        nextEvent(predicate = () => true) {
          return new Promise((done) => eventWaiters.push({ predicate, resolve: done }));
        },
        received,
        close: () => ws.close(),
      }),
    );
  });
}
