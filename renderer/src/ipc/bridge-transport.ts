import {
  BRIDGE_PROTOCOL_PREFIX,
  BridgeMessage,
  type QuireApi,
  type WireEvent,
  type WireResult,
} from '../../../shared/contract/index';

/**
 * `restarted`: the server that served this page answers, but refuses our token: the station
 * started again with a new one, so retrying is pointless and the person needs the new link.
 */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'restarted';

/**
 * The browser side of the loopback WebSocket bridge: the same QuireApi as window.quire in
 * Electron. The token comes from the URL fragment (never sent to a server) and travels as a
 * WebSocket subprotocol. It reconnects with capped backoff; calls made while disconnected
 * fail at once with UNAVAILABLE rather than hang. A socket that closes before it ever opened,
 * while the page's own server answers, means our token is no longer accepted, but only when
 * it happens twice in a row: once, the server may just have come up after the attempt failed
 * (a station restarting with the same token), and the next attempt then connects.
 */
export function createBridgeTransport(
  wsUrl: string,
  token: string,
  onState: (state: ConnectionState) => void,
): QuireApi {
  const listeners = new Set<(event: WireEvent) => void>();
  const pending = new Map<number, (result: WireResult) => void>();
  let socket: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 250;
  /** The last attempt was refused while the server answered. */
  let refusedWhileUp = false;

  const connect = () => {
    onState('connecting');
    const ws = new WebSocket(wsUrl, [BRIDGE_PROTOCOL_PREFIX + token]);
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      refusedWhileUp = false;
      retryMs = 250;
      onState('connected');
    };
    ws.onmessage = (message) => {
      const parsed = BridgeMessage.safeParse(safeJson(String(message.data)));
      if (!parsed.success) return;
      if (parsed.data.type === 'event') {
        const event = parsed.data.event;
        listeners.forEach((l) => l(event));
      } else {
        const resolve = pending.get(parsed.data.id);
        pending.delete(parsed.data.id);
        resolve?.(parsed.data.result);
      }
    };
    ws.onclose = () => {
      socket = null;
      onState('disconnected');
      for (const resolve of pending.values()) {
        resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'connection to the station was lost' } });
      }
      pending.clear();
      const retry = () => {
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 5000);
      };
      if (opened) return retry();
      void serverAnswers(wsUrl).then((answers) => {
        if (answers && refusedWhileUp) return onState('restarted');
        refusedWhileUp = answers;
        // Refused while the server answers: ask again at once, to tell a refusal from a start.
        if (answers) connect();
        else retry();
      });
    };
  };
  connect();

  return {
    invoke(command, input) {
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        return Promise.resolve({
          ok: false,
          error: { code: 'UNAVAILABLE', message: 'not connected to the station' },
        });
      }
      const id = nextId++;
      const sent = socket;
      return new Promise<WireResult>((resolve) => {
        pending.set(id, resolve);
        sent.send(JSON.stringify({ type: 'invoke', id, command, input }));
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Whether the HTTP server behind the bridge URL is up (it serves the renderer's index page). */
async function serverAnswers(wsUrl: string): Promise<boolean> {
  try {
    const response = await fetch(wsUrl.replace(/^ws/, 'http').replace(/\/bridge$/, '/'), {
      method: 'HEAD',
      cache: 'no-store',
    });
    return response.ok;
  } catch {
    return false;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
