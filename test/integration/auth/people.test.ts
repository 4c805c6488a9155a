import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { newSession, type Session } from '../../../electron/transport/dispatch';
import { stationEndpoint, type StationEndpoint } from '../../../electron/transport/station-endpoint';
import { stationCaller } from '../../helpers/contract-caller';
import { makeTestStation } from '../../helpers/station';

const ADA = { username: 'ada', password: 'correct horse battery' };
const OTTO = { username: 'otto', password: 'operator passphrase' };

describe('supervisors manage people', () => {
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

  it('a reset password replaces the old one at once', async () => {
    const supervisor = newSession();
    await call(supervisor, 'auth.signIn', ADA);
    expect(
      await call(supervisor, 'auth.accounts.resetPassword', {
        username: 'otto',
        password: 'brand new phrase',
      }),
    ).toMatchObject({ ok: true, output: { username: 'otto' } });
    expect((await call(newSession(), 'auth.signIn', OTTO)).ok).toBe(false);
    expect(
      (await call(newSession(), 'auth.signIn', { username: 'otto', password: 'brand new phrase' })).ok,
    ).toBe(true);
  });

  it('operators cannot reset passwords; the rules are checked with words a person understands', async () => {
    const operator = newSession();
    await call(operator, 'auth.signIn', OTTO);
    expect(
      await call(operator, 'auth.accounts.resetPassword', { username: 'ada', password: 'taking over now' }),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const supervisor = newSession();
    await call(supervisor, 'auth.signIn', ADA);
    expect(
      await call(supervisor, 'auth.accounts.create', {
        username: 'Bad Name',
        displayName: ' ',
        password: 'short',
        role: 'operator',
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        issues: [
          { path: 'username', message: expect.stringMatching(/^Use 2–32 lowercase letters/) },
          { path: 'displayName', message: 'Enter the person’s full name' },
          { path: 'password', message: expect.stringMatching(/^Use at least 10 characters/) },
        ],
      },
    });
  });

  it('an unknown account cannot be reset', async () => {
    await expect(station.auth.resetPassword('nobody', 'some passphrase')).rejects.toThrow(/nobody/);
  });
});
