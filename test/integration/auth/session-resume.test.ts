import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { newSession, type Session } from '../../../electron/transport/dispatch';
import { stationEndpoint, type StationEndpoint } from '../../../electron/transport/station-endpoint';
import { stationCaller } from '../../helpers/contract-caller';
import { makeTestStation } from '../../helpers/station';

const ADA = { username: 'ada', password: 'correct horse battery' };
const OTTO = { username: 'otto', password: 'operator passphrase' };

describe('a reloaded console resumes its session with a short-lived, single-use credential', () => {
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
  const tokenOf = (result: Awaited<ReturnType<typeof call>>): string => {
    if (!result.ok) throw new Error(result.error.message);
    const token = (result.output as { resume?: { token: string } | null }).resume?.token;
    if (!token) throw new Error('no resume credential');
    return token;
  };

  it('moves the session to the new connection and uses the credential up', async () => {
    const before = newSession();
    const token = tokenOf(await call(before, 'auth.signIn', OTTO));
    const after = newSession();
    const resumed = await call(after, 'auth.resume', { token });
    expect(resumed).toMatchObject({ ok: true, output: { user: { username: 'otto' }, locked: false } });
    expect((await call(after, 'settings.get')).ok).toBe(true);
    // The page that reloaded no longer holds the session, and the credential cannot be replayed.
    expect((await call(before, 'settings.get')).ok).toBe(false);
    expect(await call(newSession(), 'auth.resume', { token })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
  });

  it('keeps a locked session locked', async () => {
    const before = newSession();
    await call(before, 'auth.signIn', OTTO);
    const token = tokenOf(await call(before, 'auth.lock'));
    const after = newSession();
    expect(await call(after, 'auth.resume', { token })).toMatchObject({ ok: true, output: { locked: true } });
    expect(await call(after, 'settings.get')).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
  });

  it('rotates: each status brings a new credential, and only the last two work', async () => {
    const session = newSession();
    const first = tokenOf(await call(session, 'auth.signIn', OTTO));
    const second = tokenOf(await call(session, 'auth.status'));
    expect(second).not.toBe(first);
    const third = tokenOf(await call(session, 'auth.status'));
    expect((await call(newSession(), 'auth.resume', { token: first })).ok).toBe(false);
    // A reload during a rotation still holds the one before the newest.
    expect((await call(newSession(), 'auth.resume', { token: second })).ok).toBe(true);
    // Redeeming one ends its sibling too.
    expect((await call(newSession(), 'auth.resume', { token: third })).ok).toBe(false);
  });

  it('is revoked by signing out, by disabling the account and by a password reset', async () => {
    const supervisor = newSession();
    await call(supervisor, 'auth.signIn', ADA);

    const signedOut = newSession();
    const afterSignOut = tokenOf(await call(signedOut, 'auth.signIn', OTTO));
    await call(signedOut, 'auth.signOut');
    expect((await call(newSession(), 'auth.resume', { token: afterSignOut })).ok).toBe(false);

    const disabled = newSession();
    const beforeDisable = tokenOf(await call(disabled, 'auth.signIn', OTTO));
    await call(supervisor, 'auth.accounts.setDisabled', { username: 'otto', disabled: true });
    expect((await call(newSession(), 'auth.resume', { token: beforeDisable })).ok).toBe(false);
    await call(supervisor, 'auth.accounts.setDisabled', { username: 'otto', disabled: false });

    const reset = newSession();
    const beforeReset = tokenOf(await call(reset, 'auth.signIn', OTTO));
    await call(supervisor, 'auth.accounts.resetPassword', { username: 'otto', password: 'a new passphrase' });
    expect((await call(newSession(), 'auth.resume', { token: beforeReset })).ok).toBe(false);
  });

  it('expires after two minutes', async () => {
    let now = Date.now();
    const { ResumeCredentials } = await import('../../../electron/auth/resume-credentials');
    const credentials = new ResumeCredentials(() => now);
    const session = { user: { id: 'u1' }, locked: false, lastActivityAt: now };
    const issued = credentials.issue(session)!;
    now += 2 * 60_000 + 1;
    expect(credentials.redeem(issued.token)).toBeNull();
    const fresh = credentials.issue(session)!;
    expect(credentials.redeem(fresh.token)).toBe(session);
  });
});
