import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../electron/core/clock';
import { silentLogger } from '../../../electron/core/logger';
import type { Station } from '../../../electron/station';
import { dispatch, newSession, type Session } from '../../../electron/transport/dispatch';
import { stationEndpoint, type StationEndpoint } from '../../../electron/transport/station-endpoint';
import { makeTestStation } from '../../helpers/station';

describe('sign-in, roles and the idle lock (enforced in main)', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let endpoint: StationEndpoint;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = new FakeClock();
    ({ station, dispose } = await makeTestStation({ clock }));
    endpoint = stationEndpoint(station);
  });
  afterEach(async () => dispose());

  const call = (session: Session, command: string, input: unknown = {}) =>
    dispatch(
      endpoint.table,
      command,
      input,
      { session, transport: 'test' },
      {
        logger: silentLogger(),
        validateOutput: true,
        sessionGuard: endpoint.sessionGuard,
      },
    );

  async function setUpStation() {
    const supervisor = newSession(clock.now());
    const setup = await call(supervisor, 'auth.setup', {
      username: 'ada',
      displayName: 'Ada L.',
      password: 'correct horse battery',
    });
    expect(setup).toMatchObject({ ok: true, output: { user: { username: 'ada', role: 'supervisor' } } });
    await call(supervisor, 'auth.accounts.create', {
      username: 'otto',
      displayName: 'Otto O.',
      password: 'operator passphrase',
      role: 'operator',
    });
    const operator = newSession(clock.now());
    expect(
      (await call(operator, 'auth.signIn', { username: 'otto', password: 'operator passphrase' })).ok,
    ).toBe(true);
    return { supervisor, operator };
  }

  it('asks for setup on first start and makes the first person a supervisor', async () => {
    const session = newSession();
    expect(await call(session, 'auth.status')).toMatchObject({
      ok: true,
      output: { needsSetup: true, user: null },
    });
    await setUpStation();
    expect(await call(newSession(), 'auth.status')).toMatchObject({
      ok: true,
      output: { needsSetup: false },
    });
  });

  it('refuses a second setup once an account exists', async () => {
    await setUpStation();
    const again = await call(newSession(), 'auth.setup', {
      username: 'eve',
      displayName: 'Eve',
      password: 'another passphrase',
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('refuses operator commands to a connection nobody signed in on', async () => {
    await setUpStation();
    expect(await call(newSession(), 'settings.get')).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
  });

  it('refuses supervisor commands to an operator, whatever the UI shows', async () => {
    const { operator, supervisor } = await setUpStation();
    expect(await call(operator, 'settings.update', { idleLockMinutes: 5 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(station.settings.get().idleLockMinutes).toBe(15);
    expect(await call(supervisor, 'settings.update', { idleLockMinutes: 5 })).toMatchObject({
      ok: true,
      output: { idleLockMinutes: 5 },
    });
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    await setUpStation();
    const unknown = await call(newSession(), 'auth.signIn', {
      username: 'nobody',
      password: 'whatever it is',
    });
    const wrong = await call(newSession(), 'auth.signIn', { username: 'otto', password: 'wrong passphrase' });
    expect(unknown).toEqual(wrong);
    expect(wrong).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED', message: 'wrong username or password' },
    });
  });

  it('slows down guessing: after five failures even the right password must wait', async () => {
    await setUpStation();
    for (let i = 0; i < 5; i++)
      await call(newSession(), 'auth.signIn', { username: 'otto', password: `guess ${i} guess` });
    const blocked = await call(newSession(), 'auth.signIn', {
      username: 'otto',
      password: 'operator passphrase',
    });
    expect(blocked).toMatchObject({ ok: false, error: { message: expect.stringMatching(/too many/) } });
    clock.advance(60_000);
    expect(
      (await call(newSession(), 'auth.signIn', { username: 'otto', password: 'operator passphrase' })).ok,
    ).toBe(true);
  });

  it('locks an idle console; only status, unlock and sign-out work until the password is given', async () => {
    const { operator } = await setUpStation();
    clock.advance(15 * 60_000 + 1);
    expect(await call(operator, 'settings.get')).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(/locked/) },
    });
    expect(await call(operator, 'auth.status')).toMatchObject({
      ok: true,
      output: { locked: true, user: { username: 'otto' } },
    });
    expect(await call(operator, 'auth.unlock', { password: 'wrong passphrase' })).toMatchObject({
      ok: false,
    });
    expect(await call(operator, 'auth.unlock', { password: 'operator passphrase' })).toMatchObject({
      ok: true,
      output: { locked: false },
    });
    expect((await call(operator, 'settings.get')).ok).toBe(true);
  });

  it('keeps an active console unlocked', async () => {
    const { operator } = await setUpStation();
    for (let i = 0; i < 4; i++) {
      clock.advance(10 * 60_000);
      expect((await call(operator, 'auth.activity')).ok).toBe(true);
    }
  });

  it('refuses a disabled account and never stores a password in clear', async () => {
    const { supervisor } = await setUpStation();
    await call(supervisor, 'auth.accounts.setDisabled', { username: 'otto', disabled: true });
    const attempt = await call(newSession(), 'auth.signIn', {
      username: 'otto',
      password: 'operator passphrase',
    });
    expect(attempt).toMatchObject({ ok: false, error: { message: 'this account is disabled' } });
    const hashes = station.db.prepare('SELECT password_hash FROM accounts').all() as {
      password_hash: string;
    }[];
    for (const { password_hash } of hashes) {
      expect(password_hash).toMatch(/^scrypt\$/);
      expect(password_hash).not.toContain('passphrase');
    }
  });

  it('rejects weak passwords and odd usernames with every problem named', async () => {
    const result = await call(newSession(), 'auth.setup', {
      username: 'A B',
      displayName: '',
      password: 'short',
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.issues?.map((i) => i.path).sort()).toEqual(['displayName', 'password', 'username']);
  });
});
