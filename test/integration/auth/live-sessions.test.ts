import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../../shared/contract/index';
import type { Station } from '../../../electron/station';
import { newSession, type Session } from '../../../electron/transport/dispatch';
import { stationEndpoint, type StationEndpoint } from '../../../electron/transport/station-endpoint';
import { startBridge, type Bridge } from '../../../electron/transport/ws-bridge';
import { connectBridge, type BridgeTestClient } from '../../helpers/bridge-client';
import { stationCaller } from '../../helpers/contract-caller';
import { makeTestStation } from '../../helpers/station';

const ADA = { username: 'ada', password: 'correct horse battery' };
const OTTO = { username: 'otto', password: 'operator passphrase' };

describe('live sessions follow their account, and events reach only signed-in, unlocked sessions', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let endpoint: StationEndpoint;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation());
    endpoint = stationEndpoint(station);
    await station.auth.setup(newSession(), { ...ADA, displayName: 'Ada' });
    await station.auth.createAccount({ ...OTTO, displayName: 'Otto', role: 'operator' });
  });
  afterEach(async () => dispose());

  const call = (session: Session, command: string, input: unknown = {}) =>
    stationCaller(station, endpoint)(session, command, input);

  describe('through the dispatcher', () => {
    it('ends the live session of an account as soon as it is disabled', async () => {
      const supervisor = newSession();
      const operator = newSession();
      await call(supervisor, 'auth.signIn', ADA);
      await call(operator, 'auth.signIn', OTTO);
      expect((await call(operator, 'settings.get')).ok).toBe(true);
      await call(supervisor, 'auth.accounts.setDisabled', { username: 'otto', disabled: true });
      expect(await call(operator, 'settings.get')).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(/otto is disabled/) },
      });
      expect(await call(operator, 'auth.status')).toMatchObject({ ok: true, output: { user: null } });
      // Re-enabling does not bring the old session back: the person signs in again.
      await call(supervisor, 'auth.accounts.setDisabled', { username: 'otto', disabled: false });
      expect(await call(operator, 'settings.get')).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHENTICATED' },
      });
    });

    it('ends a locked session of a disabled account too, so unlocking cannot revive it', async () => {
      const supervisor = newSession();
      const operator = newSession();
      await call(supervisor, 'auth.signIn', ADA);
      await call(operator, 'auth.signIn', OTTO);
      await call(operator, 'auth.lock');
      await call(supervisor, 'auth.accounts.setDisabled', { username: 'otto', disabled: true });
      expect(await call(operator, 'auth.unlock', { password: OTTO.password })).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHENTICATED' },
      });
      expect(await call(operator, 'auth.status')).toMatchObject({ ok: true, output: { user: null } });
    });
  });

  describe('over the real WebSocket bridge', () => {
    let bridge: Bridge;
    const clients: BridgeTestClient[] = [];
    beforeEach(async () => {
      bridge = await startBridge(endpoint);
    });
    afterEach(async () => {
      clients.splice(0).forEach((c) => c.close());
      await bridge.close();
    });

    const connect = async (who?: { username: string; password: string }) => {
      const client = await connectBridge(bridge.wsUrl, bridge.token);
      clients.push(client);
      if (who) expect((await client.invoke('auth.signIn', who)).ok).toBe(true);
      return client;
    };
    /** An audit append: its event carries the detail text, which only signed-in people may read. */
    const audit = (detail: string) =>
      station.audit.record({ type: 'validation', outcome: 'success', detail, object: 'B-1', person: 'ada' });
    const auditWith = (detail: string) => (e: WireEvent) =>
      e.name === 'audit.appended' && (e.payload as { detail: string }).detail === detail;
    const details = (client: BridgeTestClient) =>
      client.received
        .filter((e) => e.name === 'audit.appended')
        .map((e) => (e.payload as { detail: string }).detail);

    it('sends nothing to a connection nobody signed in on', async () => {
      const watcher = await connect(ADA);
      const stranger = await connect();
      const seen = watcher.nextEvent(auditWith('secret one'));
      audit('secret one');
      await seen;
      // Once signed in, the stranger's connection gets what happens from then on, and only that.
      expect((await stranger.invoke('auth.signIn', OTTO)).ok).toBe(true);
      const next = stranger.nextEvent(auditWith('after sign-in'));
      audit('after sign-in');
      await next;
      expect(details(stranger)).toEqual(['after sign-in']);
    });

    it('sends nothing to a locked console until it is unlocked', async () => {
      const watcher = await connect(ADA);
      const locked = await connect(OTTO);
      expect(await locked.invoke('auth.lock', {})).toMatchObject({ ok: true, output: { locked: true } });
      const seen = watcher.nextEvent(auditWith('while locked'));
      audit('while locked');
      await seen;
      expect((await locked.invoke('auth.unlock', { password: OTTO.password })).ok).toBe(true);
      const next = locked.nextEvent(auditWith('after unlock'));
      audit('after unlock');
      await next;
      expect(details(locked)).toEqual(['after unlock']);
    });

    it('stops sending to a live session once its account is disabled, and refuses its commands', async () => {
      const supervisor = await connect(ADA);
      const operator = await connect(OTTO);
      const first = operator.nextEvent(auditWith('before'));
      audit('before');
      await first;
      expect(
        (await supervisor.invoke('auth.accounts.setDisabled', { username: 'otto', disabled: true })).ok,
      ).toBe(true);
      const seen = supervisor.nextEvent(auditWith('after disabling'));
      audit('after disabling');
      await seen;
      expect(await operator.invoke('settings.get', {})).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(/disabled/) },
      });
      expect(details(operator)).toEqual(['before']);
    });

    it('stops sending after sign-out', async () => {
      const watcher = await connect(ADA);
      const leaving = await connect(OTTO);
      await leaving.invoke('auth.signOut', {});
      const seen = watcher.nextEvent(auditWith('after sign-out'));
      audit('after sign-out');
      await seen;
      // The reply to a later command comes after any event already sent: none was.
      await leaving.invoke('auth.status', {});
      expect(details(leaving)).toEqual([]);
    });
  });
});
