import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../electron/core/clock';
import type { AccountChange } from '../../../electron/records/account-store';
import { LabAccountStore } from '../../../electron/records/postgres/lab-account-store';
import { openLabPool } from '../../../electron/records/postgres/lab-database';
import type { Station } from '../../../electron/station';
import { newSession } from '../../../electron/transport/dispatch';
import { startPostgres, withoutPostgres, type PostgresServer } from '../../helpers/postgres-server';
import { emptyLabDatabase, labStations } from '../../helpers/lab-postgres';
import { stationCaller } from '../../helpers/contract-caller';

const ADA = { username: 'ada', password: 'correct horse battery' };
const OTTO = { username: 'otto', password: 'operator passphrase' };

/**
 * Two station cores on one lab database: one set of people, sign-in anywhere, and disabling
 * someone at one station ends their sessions at every station before their next step.
 */
describe.skipIf(withoutPostgres())('accounts shared by the lab on PostgreSQL', () => {
  let server: PostgresServer;
  let a: Station;
  let b: Station;

  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => server?.dispose(), 60_000);

  const clock = new FakeClock();
  const stations = labStations(() => server, { clock });

  beforeEach(async () => {
    await emptyLabDatabase(server);
    a = await stations.open('Station A');
    b = await stations.open('Station B');
  }, 60_000);
  afterEach(async () => stations.disposeAll());

  const caller = (station: Station) => stationCaller(station);

  it('is set up once for the lab, and people created at one station sign in at another', async () => {
    const [atA, atB] = [caller(a), caller(b)];
    expect(await atB(newSession(), 'auth.status')).toMatchObject({ ok: true, output: { needsSetup: true } });
    const supervisor = newSession();
    expect((await atA(supervisor, 'auth.setup', { ...ADA, displayName: 'Ada' })).ok).toBe(true);
    expect(await atB(newSession(), 'auth.setup', { ...ADA, displayName: 'Ada' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await atB(newSession(), 'auth.status')).toMatchObject({ ok: true, output: { needsSetup: false } });
    await atA(supervisor, 'auth.accounts.create', { ...OTTO, displayName: 'Otto', role: 'operator' });

    const operator = newSession();
    expect(await atB(operator, 'auth.signIn', OTTO)).toMatchObject({
      ok: true,
      output: { user: { username: 'otto', role: 'operator' } },
    });
    expect((await atB(operator, 'settings.get')).ok).toBe(true);
    const atBSupervisor = newSession();
    await atB(atBSupervisor, 'auth.signIn', ADA);
    expect(await atB(atBSupervisor, 'auth.accounts.list')).toMatchObject({
      ok: true,
      output: [{ username: 'ada' }, { username: 'otto' }],
    });
  });

  it('disabling someone at B ends their sessions at A and at B before their next step', async () => {
    const [atA, atB] = [caller(a), caller(b)];
    await a.auth.setup(newSession(), { ...ADA, displayName: 'Ada' });
    await a.auth.createAccount({ ...OTTO, displayName: 'Otto', role: 'operator' });
    const onA = newSession();
    const onB = newSession();
    const resumeOnA = (await atA(onA, 'auth.signIn', OTTO)) as { output: { resume: { token: string } } };
    await atB(onB, 'auth.signIn', OTTO);
    expect((await atA(onA, 'settings.get')).ok).toBe(true);
    expect((await atB(onB, 'settings.get')).ok).toBe(true);

    const supervisor = newSession();
    await atB(supervisor, 'auth.signIn', ADA);
    expect(
      (await atB(supervisor, 'auth.accounts.setDisabled', { username: 'otto', disabled: true })).ok,
    ).toBe(true);

    // Right after, with no wait for any announcement: each command checks its session row.
    for (const [call, session] of [
      [atA, onA],
      [atB, onB],
    ] as const)
      expect(await call(session, 'settings.get')).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(/otto is disabled/) },
      });
    expect(await atA(newSession(), 'auth.resume', { token: resumeOnA.output.resume.token })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    expect(await atA(newSession(), 'auth.signIn', OTTO)).toMatchObject({
      ok: false,
      error: { message: 'this account is disabled' },
    });

    // Re-enabled: the old sessions stay ended; signing in again works at either station.
    await atB(supervisor, 'auth.accounts.setDisabled', { username: 'otto', disabled: false });
    expect((await atA(onA, 'settings.get')).ok).toBe(false);
    expect((await atA(onA, 'auth.signIn', OTTO)).ok).toBe(true);
    expect((await atA(onA, 'settings.get')).ok).toBe(true);
  });

  it('guesses at one account slow down across the lab: failures at A count at B', async () => {
    const [atA, atB] = [caller(a), caller(b)];
    await a.auth.setup(newSession(), { ...ADA, displayName: 'Ada' });
    await a.auth.createAccount({ ...OTTO, displayName: 'Otto', role: 'operator' });
    // Five free failures at A, each from a fresh connection (the connection's own backoff aside).
    for (let i = 0; i < 5; i++)
      expect(
        await atA(newSession(), 'auth.signIn', { username: 'otto', password: `guess ${i} guess` }),
      ).toMatchObject({
        ok: false,
        error: { message: 'wrong username or password' },
      });
    expect(await atB(newSession(), 'auth.signIn', OTTO)).toMatchObject({
      ok: false,
      error: {
        code: 'UNAUTHENTICATED',
        message: expect.stringMatching(/too many failed sign-in attempts for this account; wait 1 s/),
      },
    });
    clock.advance(1_000);
    expect((await atB(newSession(), 'auth.signIn', OTTO)).ok).toBe(true);
    // That success cleared the lab's count: one more wrong guess is not a sixth in a row.
    expect((await atB(newSession(), 'auth.signIn', { ...OTTO, password: 'one more guess' })).ok).toBe(false);
    expect((await atB(newSession(), 'auth.signIn', OTTO)).ok).toBe(true);
  });

  it('a role changed in the lab follows the live session at the other station', async () => {
    const [atA, atB] = [caller(a), caller(b)];
    await a.auth.setup(newSession(), { ...ADA, displayName: 'Ada' });
    await a.auth.createAccount({ ...OTTO, displayName: 'Otto', role: 'operator' });
    const onA = newSession();
    await atA(onA, 'auth.signIn', OTTO);
    expect(await atA(onA, 'auth.accounts.list')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // No command changes roles yet; a supervisor's change in the database stands for it.
    const pool = openLabPool(server.url, { max: 1 });
    await pool.query("UPDATE lab_accounts SET role = 'supervisor' WHERE username = 'otto'");
    await pool.end();
    expect((await atA(onA, 'auth.accounts.list')).ok).toBe(true);
    expect((await atB(newSession(), 'auth.signIn', OTTO)).ok).toBe(true);
  });

  it('while the lab database is away, signed-in work goes on and sign-in says why it waits', async () => {
    const atA = caller(a);
    await a.auth.setup(newSession(), { ...ADA, displayName: 'Ada' });
    await a.auth.createAccount({ ...OTTO, displayName: 'Otto', role: 'operator' });
    const onA = newSession();
    await atA(onA, 'auth.signIn', OTTO);

    await server.stop();
    try {
      expect((await atA(onA, 'settings.get')).ok).toBe(true);
      expect(await atA(newSession(), 'auth.signIn', ADA)).toMatchObject({
        ok: false,
        error: { code: 'UNAVAILABLE', message: expect.stringMatching(/accounts database did not answer/) },
      });
    } finally {
      await server.start();
    }
    expect((await atA(newSession(), 'auth.signIn', ADA)).ok).toBe(true);
    expect((await atA(onA, 'settings.get')).ok).toBe(true);
  });

  it('announces a change at one station to every other station, and asks for a re-read after a lost link', async () => {
    const pools = [openLabPool(server.url, { max: 3 }), openLabPool(server.url, { max: 3 })];
    const [listening, writing] = await Promise.all(pools.map((pool) => new LabAccountStore(pool).start()));
    const heard: AccountChange[] = [];
    const next = (match: (c: AccountChange) => boolean) =>
      new Promise<void>((resolve) => {
        const unsubscribe = listening!.subscribe((c) => {
          heard.push(c);
          if (!match(c)) return;
          unsubscribe();
          resolve();
        });
      });
    try {
      const created = next((c) => c.kind === 'account' && c.account.username === 'eve');
      await writing!.insert({
        username: 'eve',
        displayName: 'Eve',
        role: 'operator',
        passwordHash: 'h',
        createdAt: '2026-12-01T08:00:00.000Z',
      });
      await created;
      const disabled = next((c) => c.kind === 'account' && c.account.disabled);
      await writing!.setDisabled('eve', true, '2026-12-01T08:01:00.000Z');
      await disabled;

      const resync = next((c) => c.kind === 'resync');
      await server.stop();
      await server.start();
      await resync;
      const after = next((c) => c.kind === 'account' && !c.account.disabled);
      await writing!.setDisabled('eve', false, '2026-12-01T08:02:00.000Z');
      await after;
      expect(
        heard.map((c) => (c.kind === 'account' ? `${c.account.username}:${c.account.disabled}` : c.kind)),
      ).toEqual(['eve:false', 'eve:true', 'resync', 'eve:false']);
    } finally {
      await listening!.close();
      await writing!.close();
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});
