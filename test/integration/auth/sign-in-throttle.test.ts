import { afterEach, describe, expect, it } from 'vitest';
import type { WireResult } from '../../../shared/contract/index';
import { FakeClock } from '../../../electron/core/clock';
import { CURRENT_PARAMS, hashPassword } from '../../../electron/auth/password-hash';
import type { Station } from '../../../electron/station';
import { newSession } from '../../../electron/transport/dispatch';
import { stationCaller } from '../../helpers/contract-caller';
import { makeTestStation } from '../../helpers/station';

const SUPERVISOR = { username: 'ada', password: 'correct horse battery' };
const REACHED_THE_HASH = 'wrong username or password';

describe('sign-in throttling: per account and per connection, reserved before the hash', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let clock: FakeClock;
  afterEach(async () => dispose());

  async function start(options: Parameters<typeof makeTestStation>[0] = {}) {
    clock = new FakeClock();
    ({ station, dispose } = await makeTestStation({ clock, ...options }));
    const call = stationCaller(station);
    expect((await call(newSession(), 'auth.setup', { ...SUPERVISOR, displayName: 'Ada' })).ok).toBe(true);
    return call;
  }

  const message = (result: WireResult) => (result.ok ? 'ok' : result.error.message);
  const reachedHash = (results: WireResult[]) =>
    results.filter((r) => message(r) === REACHED_THE_HASH).length;

  it('lets only one of 20 concurrent wrong guesses at one account reach the password hash', async () => {
    const call = await start();
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(newSession(), 'auth.signIn', { username: 'ada', password: `guess number ${i}` }),
      ),
    );
    expect(reachedHash(guesses)).toBe(1);
    for (const refused of guesses.filter((r) => message(r) !== REACHED_THE_HASH))
      expect(refused).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(/already being checked/) },
      });
  });

  it('lets one connection check only one guess at a time, whatever accounts it names', async () => {
    const call = await start();
    const attacker = newSession();
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(attacker, 'auth.signIn', { username: `user${i}`, password: 'some guess here' }),
      ),
    );
    expect(reachedHash(guesses)).toBe(1);
  });

  it('makes a guessing connection pay across accounts: its backoff follows it to the next account', async () => {
    const call = await start();
    const attacker = newSession();
    for (let i = 0; i < 5; i++)
      expect(
        message(await call(attacker, 'auth.signIn', { username: 'ada', password: `guess ${i} x` })),
      ).toBe(REACHED_THE_HASH);
    expect(
      await call(attacker, 'auth.signIn', { username: 'nobody', password: 'another guess' }),
    ).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(/too many failed sign-in attempts from this connection; wait \d+ s/),
      },
    });
  });

  it('a flood at the supervisor slows the attacker down and never keeps the supervisor out for long', async () => {
    const call = await start();
    const attacker = newSession();
    const results: WireResult[] = [];
    // Ten minutes of a guess every second from one connection.
    for (let second = 0; second < 600; second++) {
      results.push(await call(attacker, 'auth.signIn', { username: 'ada', password: `guess ${second} x` }));
      clock.advance(1_000);
    }
    // Backoff doubling from 2 s: a dozen guesses are checked, not one a second (or five a minute).
    expect(reachedHash(results)).toBeLessThanOrEqual(14);
    // The account's own wait never exceeds a minute: the supervisor gets in from her console…
    clock.advance(60_000);
    const supervisor = newSession();
    expect(await call(supervisor, 'auth.signIn', SUPERVISOR)).toMatchObject({
      ok: true,
      output: { user: { username: 'ada' } },
    });
    // …while the attacker's connection is still waiting, even with the right password.
    expect(await call(attacker, 'auth.signIn', SUPERVISOR)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/from this connection/) },
    });
  });

  it('backs off exponentially per account, capped at a minute, so nobody is locked out for good', async () => {
    const call = await start();
    const waits: number[] = [];
    let failures = 0;
    while (failures < 12) {
      // A fresh connection each time: only the account's own backoff applies.
      const guess = message(
        await call(newSession(), 'auth.signIn', { username: 'ada', password: 'a wrong guess' }),
      );
      const wait = /for this account; wait (\d+) s/.exec(guess);
      if (wait) {
        waits.push(Number(wait[1]));
        clock.advance(Number(wait[1]) * 1000);
      } else {
        expect(guess).toBe(REACHED_THE_HASH);
        failures += 1;
      }
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60]);
    expect(message(await call(newSession(), 'auth.signIn', SUPERVISOR))).toMatch(/wait 60 s/);
    clock.advance(60_000);
    expect((await call(newSession(), 'auth.signIn', SUPERVISOR)).ok).toBe(true);
  });

  it('throttles wrong passwords at the unlock prompt the same way', async () => {
    const call = await start();
    const console = newSession();
    await call(console, 'auth.signIn', SUPERVISOR);
    await call(console, 'auth.lock');
    const guesses = await Promise.all(
      Array.from({ length: 5 }, (_, i) => call(console, 'auth.unlock', { password: `guess ${i} x` })),
    );
    expect(guesses.filter((r) => message(r) === 'wrong password')).toHaveLength(1);
  });

  it('replaces a weaker stored hash with the current parameters at the next sign-in', async () => {
    const strong = { N: 2 ** 11, r: 8, p: 1, keyLength: 32 };
    const call = await start({ passwordHashParams: strong });
    const weak = await hashPassword(SUPERVISOR.password, { N: 2 ** 10, r: 8, p: 1, keyLength: 32 });
    station.db.prepare("UPDATE accounts SET password_hash = ? WHERE username = 'ada'").run(weak);
    expect((await call(newSession(), 'auth.signIn', SUPERVISOR)).ok).toBe(true);
    const stored = () =>
      (
        station.db.prepare("SELECT password_hash FROM accounts WHERE username = 'ada'").get() as {
          password_hash: string;
        }
      ).password_hash;
    expect(stored()).toMatch(/^scrypt\$2048\$8\$1\$/);
    expect((await call(newSession(), 'auth.signIn', SUPERVISOR)).ok).toBe(true);
    expect(stored()).toMatch(/^scrypt\$2048\$/);
  });

  it('hashes with scrypt N=2^17 or more by default', async () => {
    expect(CURRENT_PARAMS.N).toBeGreaterThanOrEqual(2 ** 17);
    await start({ passwordHashParams: undefined });
    const { password_hash } = station.db.prepare('SELECT password_hash FROM accounts').get() as {
      password_hash: string;
    };
    expect(password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
  });
});
