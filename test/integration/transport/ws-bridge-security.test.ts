import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandlerTable } from '../../../electron/handlers/index';
import type { Station } from '../../../electron/station';
import { newSession, type HandlerTable } from '../../../electron/transport/dispatch';
import { startBridge, type Bridge } from '../../../electron/transport/ws-bridge';
import { connectBridge } from '../../helpers/bridge-client';
import { makeTestStation } from '../../helpers/station';

describe('loopback WebSocket bridge', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let bridge: Bridge;
  let infoHandler: ReturnType<typeof vi.fn>;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation());
    const table = createHandlerTable(station);
    infoHandler = vi.fn(table['station.info']);
    bridge = await startBridge({
      table: { ...table, 'station.info': infoHandler } as HandlerTable,
      events: station.events,
      logger: station.logger,
      clock: station.clock,
    });
  });
  afterEach(async () => {
    await bridge.close();
    await dispose();
  });

  it('listens on loopback only', () => {
    expect(bridge.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves station.info from the real core to a client with the token', async () => {
    const client = await connectBridge(bridge.wsUrl, bridge.token);
    const result = await client.invoke('station.info', {});
    expect(result).toMatchObject({ ok: true, output: { name: 'Quire', dataDir: station.layout.root } });
    client.close();
  });

  it('refuses a connection without the token', async () => {
    await expect(connectBridge(bridge.wsUrl, '')).rejects.toThrow(/401/);
  });

  it('refuses a connection with a wrong token of the same length', async () => {
    const wrong = bridge.token.replace(/./g, 'A');
    await expect(connectBridge(bridge.wsUrl, wrong)).rejects.toThrow(/401/);
  });

  it('refuses a connection from a non-loopback origin, even with the token', async () => {
    await expect(
      connectBridge(bridge.wsUrl, bridge.token, { Origin: 'https://evil.example' }),
    ).rejects.toThrow(/403/);
  });

  it('refuses a loopback origin on another port (another local web page)', async () => {
    await expect(connectBridge(bridge.wsUrl, bridge.token, { Origin: 'http://127.0.0.1:1' })).rejects.toThrow(
      /403/,
    );
  });

  it('accepts its own origin', async () => {
    const client = await connectBridge(bridge.wsUrl, bridge.token, { Origin: bridge.origin });
    expect((await client.invoke('station.health', {})).ok).toBe(true);
    client.close();
  });

  it('refuses a Host header that is not loopback (DNS rebinding)', async () => {
    await expect(
      connectBridge(bridge.wsUrl, bridge.token, { Host: `evil.example:${bridge.port}` }),
    ).rejects.toThrow(/421/);
  });

  it('answers an unknown command with a typed error and never reaches a handler', async () => {
    const client = await connectBridge(bridge.wsUrl, bridge.token);
    const result = await client.invoke('station.shutdown', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(infoHandler).not.toHaveBeenCalled();
    client.close();
  });

  it('answers a bad payload with a typed error naming the problem and never reaches a handler', async () => {
    const client = await connectBridge(bridge.wsUrl, bridge.token);
    const result = await client.invoke('station.info', { dataDir: '/etc' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    if (!result.ok) expect(result.error.issues?.[0]?.message).toMatch(/unrecognized/i);
    expect(infoHandler).not.toHaveBeenCalled();
    client.close();
  });

  it('answers a malformed message (not JSON, wrong envelope) with INVALID_MESSAGE', async () => {
    const client = await connectBridge(bridge.wsUrl, bridge.token);
    expect(await client.sendRaw('{not json')).toMatchObject({
      type: 'result',
      result: { ok: false, error: { code: 'INVALID_MESSAGE' } },
    });
    expect(await client.sendRaw(JSON.stringify({ type: 'invoke', command: 'station.info' }))).toMatchObject({
      type: 'result',
      result: { ok: false, error: { code: 'INVALID_MESSAGE' } },
    });
    expect(infoHandler).not.toHaveBeenCalled();
    client.close();
  });

  it('pushes core events to signed-in clients', async () => {
    await station.auth.setup(newSession(), {
      username: 'ada',
      displayName: 'Ada',
      password: 'correct horse battery',
    });
    const client = await connectBridge(bridge.wsUrl, bridge.token);
    await client.invoke('auth.signIn', { username: 'ada', password: 'correct horse battery' });
    const received = client.nextEvent((e) => e.name === 'station.heartbeat');
    station.events.emit('station.heartbeat', { at: new Date().toISOString(), uptimeSeconds: 1 });
    await expect(received).resolves.toMatchObject({
      name: 'station.heartbeat',
      payload: { uptimeSeconds: 1 },
    });
    client.close();
  });

  it('does not serve files outside the renderer bundle', async () => {
    const res = await fetch(`${bridge.origin}/../../etc/passwd`);
    expect(res.status).toBe(404);
  });
});
