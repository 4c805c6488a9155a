import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBridgeTransport, type ConnectionState } from '../../../renderer/src/ipc/bridge-transport';

/** A WebSocket whose fate the test decides: each new socket waits for `open()` or `refuse()`. */
class FakeSocket {
  static OPEN = 1;
  static made: FakeSocket[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  constructor() {
    FakeSocket.made.push(this);
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  refuse() {
    this.readyState = 3;
    this.onclose?.();
  }
  send() {}
}

/** Resolves when the transport has made its `n`th socket. */
async function socketNumber(n: number): Promise<FakeSocket> {
  await vi.waitUntil(() => FakeSocket.made.length >= n);
  return FakeSocket.made[n - 1]!;
}

describe('the bridge transport after a refused connection', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeSocket.made = [];
  });

  const start = (serverAnswers: () => boolean) => {
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.stubGlobal('fetch', async () => ({ ok: serverAnswers() }));
    const states: ConnectionState[] = [];
    createBridgeTransport('ws://127.0.0.1:1/bridge', 'token', (s) => states.push(s));
    return states;
  };

  it('connects when the server came up just after an attempt failed (same token)', async () => {
    const states = start(() => true);
    // This attempt failed while the station was still starting; by the time the page asks, it answers.
    (await socketNumber(1)).refuse();
    (await socketNumber(2)).open();
    expect(states).not.toContain('restarted');
    expect(states.at(-1)).toBe('connected');
  });

  it('asks for the new link when a server that answers refuses twice in a row', async () => {
    const states = start(() => true);
    (await socketNumber(1)).refuse();
    (await socketNumber(2)).refuse();
    await vi.waitUntil(() => states.includes('restarted'));
    expect(FakeSocket.made).toHaveLength(2);
  });
});
