import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountChange, AccountStore, NewAccount } from '../../../electron/records/account-store';
import { LabAccountStore } from '../../../electron/records/postgres/lab-account-store';
import { SqliteAccountStore } from '../../../electron/records/sqlite/account-store';
import { openDatabase } from '../../../electron/storage/index';
import { freshLabDatabase } from '../../helpers/lab-postgres';
import { startPostgres, withoutPostgres, type PostgresServer } from '../../helpers/postgres-server';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * One set of expectations for every engine behind the AccountStore interface: what the auth
 * module relies on must hold whether a single station's SQLite or the lab's PostgreSQL answers.
 */
interface Engine {
  name: string;
  unavailable: () => boolean;
  open: () => Promise<{ store: AccountStore; dispose: () => Promise<void> }>;
  dispose?: () => Promise<void>;
}

let server: PostgresServer | null = null;
const engines: Engine[] = [
  {
    name: "a station's SQLite",
    unavailable: () => false,
    open: async () => {
      const dir = makeTempDir('quire-accounts-');
      const db = openDatabase(path.join(dir.path, 'quire.db'));
      const store = new SqliteAccountStore(db);
      return {
        store,
        dispose: async () => {
          await store.close();
          db.close();
          dir.cleanup();
        },
      };
    },
  },
  {
    name: "the lab's PostgreSQL",
    unavailable: withoutPostgres,
    open: async () => {
      server ??= await startPostgres();
      const pool = await freshLabDatabase(server, { max: 12 });
      const store = await new LabAccountStore(pool).start();
      return {
        store,
        dispose: async () => {
          await store.close();
          await pool.end();
        },
      };
    },
  },
];

afterAll(async () => {
  await server?.dispose();
}, 60_000);

const ada = (over: Partial<NewAccount> = {}): NewAccount => ({
  username: 'ada',
  displayName: 'Ada Lovelace',
  role: 'supervisor',
  passwordHash: 'scrypt$1024$8$1$c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5',
  createdAt: '2026-12-01T08:00:00.123Z',
  ...over,
});
const otto = (over: Partial<NewAccount> = {}) =>
  ada({ username: 'otto', displayName: 'Otto', role: 'operator', ...over });

/** Resolves with the first announced change that matches. */
function announced(store: AccountStore, match: (c: AccountChange) => boolean): Promise<AccountChange> {
  return new Promise((resolve) => {
    const unsubscribe = store.subscribe((change) => {
      if (!match(change)) return;
      unsubscribe();
      resolve(change);
    });
  });
}

for (const engine of engines) {
  describe.skipIf(engine.unavailable())(`the account store on ${engine.name}`, () => {
    let store: AccountStore;
    let dispose: () => Promise<void>;

    beforeEach(async () => {
      ({ store, dispose } = await engine.open());
    }, 120_000);
    afterEach(async () => dispose());

    it('keeps people with their role, hash and creation time exactly, found by name or id', async () => {
      expect(await store.count()).toBe(0);
      const created = await store.insert(ada());
      expect(created).toMatchObject({
        username: 'ada',
        displayName: 'Ada Lovelace',
        role: 'supervisor',
        disabled: false,
        createdAt: '2026-12-01T08:00:00.123Z',
        passwordHash: ada().passwordHash,
      });
      await store.insert(otto());
      expect(await store.count()).toBe(2);
      expect(await store.byId(created!.id)).toEqual(created);
      expect(await store.byUsername('ada')).toEqual(created);
      expect(await store.byUsername('nobody')).toBeNull();
      expect(await store.byId('no-such-id')).toBeNull();
      expect((await store.list()).map((a) => a.username)).toEqual(['ada', 'otto']);
    });

    it('refuses a second account of the same name, leaving the first as it was', async () => {
      const first = await store.insert(otto());
      expect(await store.insert(otto({ displayName: 'Impostor', role: 'supervisor' }))).toBeNull();
      expect(await store.byUsername('otto')).toEqual(first);
    });

    it('makes exactly one first account when several set up at once', async () => {
      const tries = await Promise.all(
        ['a1', 'a2', 'a3', 'a4', 'a5'].map((username) =>
          store.insert(ada({ username }), { onlyIfEmpty: true }),
        ),
      );
      expect(tries.filter(Boolean)).toHaveLength(1);
      expect(await store.count()).toBe(1);
      expect(await store.insert(ada({ username: 'late' }), { onlyIfEmpty: true })).toBeNull();
    });

    it('replaces a password hash and announces it', async () => {
      const account = (await store.insert(otto()))!;
      const heard = announced(store, (c) => c.kind === 'password');
      await store.setPasswordHash(account.id, 'scrypt$2048$8$1$bmV3$bmV3bmV3bmV3bmV3bmV3');
      expect(await heard).toEqual({ kind: 'password', accountId: account.id });
      expect((await store.byId(account.id))!.passwordHash).toBe('scrypt$2048$8$1$bmV3$bmV3bmV3bmV3bmV3bmV3');
    });

    it('keeps sessions: open until ended, with the first reason they ended for', async () => {
      const account = (await store.insert(otto()))!;
      const id = await store.openSession({
        accountId: account.id,
        station: 'st-a',
        startedAt: '2026-12-01T08:01:00.000Z',
      });
      expect(await store.checkSession(id)).toEqual({ account, endedBecause: null });
      await store.endSessions([id], 'signed out', '2026-12-01T08:02:00.000Z');
      await store.endSessions([id], 'station stopped', '2026-12-01T08:03:00.000Z');
      expect(await store.checkSession(id)).toEqual({ account, endedBecause: 'signed out' });
      expect(await store.checkSession('never-opened')).toBeNull();
      await store.endSessions([], 'signed out', '2026-12-01T08:04:00.000Z');
    });

    it('disabling someone ends all their open sessions at once, and re-enabling revives none', async () => {
      const target = (await store.insert(otto()))!;
      const other = (await store.insert(ada()))!;
      const open = (accountId: string, station: string) =>
        store.openSession({ accountId, station, startedAt: '2026-12-01T08:01:00.000Z' });
      const onA = await open(target.id, 'st-a');
      const onB = await open(target.id, 'st-b');
      const ended = await open(target.id, 'st-a');
      await store.endSessions([ended], 'signed out', '2026-12-01T08:01:30.000Z');
      const bystander = await open(other.id, 'st-a');

      const heard = announced(store, (c) => c.kind === 'account' && c.account.disabled);
      const disabled = await store.setDisabled('otto', true, '2026-12-01T08:02:00.000Z');
      expect(disabled).toMatchObject({ id: target.id, disabled: true });
      expect(await heard).toEqual({
        kind: 'account',
        account: {
          id: target.id,
          username: 'otto',
          displayName: 'Otto',
          role: 'operator',
          disabled: true,
          createdAt: target.createdAt,
        },
      });
      for (const id of [onA, onB])
        expect(await store.checkSession(id)).toMatchObject({
          account: { disabled: true },
          endedBecause: 'account disabled',
        });
      expect((await store.checkSession(ended))!.endedBecause).toBe('signed out');
      expect((await store.checkSession(bystander))!.endedBecause).toBeNull();

      expect(await store.setDisabled('otto', false, '2026-12-01T08:03:00.000Z')).toMatchObject({
        disabled: false,
      });
      expect((await store.checkSession(onA))!.endedBecause).toBe('account disabled');
      expect(await store.setDisabled('nobody', true, '2026-12-01T08:03:00.000Z')).toBeNull();
    });

    it('counts failed sign-ins per username and backs off, forgetting old ones and clearing on success', async () => {
      const policy = { freeFailures: 2, baseDelayMs: 1_000, maxDelayMs: 4_000, forgetAfterMs: 60_000 };
      const t = Date.UTC(2026, 11, 1, 8);
      expect(await store.signInBlockedUntil('otto')).toBe(0);
      expect(await store.recordSignInFailure('otto', t, policy)).toBe(0);
      expect(await store.recordSignInFailure('otto', t + 1, policy)).toBe(t + 1 + 1_000);
      expect(await store.recordSignInFailure('otto', t + 2, policy)).toBe(t + 2 + 2_000);
      expect(await store.recordSignInFailure('otto', t + 3, policy)).toBe(t + 3 + 4_000);
      expect(await store.recordSignInFailure('otto', t + 4, policy)).toBe(t + 4 + 4_000);
      expect(await store.signInBlockedUntil('otto')).toBe(t + 4 + 4_000);
      expect(await store.signInBlockedUntil('ada')).toBe(0);
      // Long after the last failure, counting starts again.
      expect(await store.recordSignInFailure('otto', t + 4 + 60_000, policy)).toBe(0);
      await store.recordSignInFailure('otto', t + 4 + 60_001, policy);
      await store.clearSignInFailures('otto');
      expect(await store.signInBlockedUntil('otto')).toBe(0);
    });

    it('counts every one of several failures recorded at once', async () => {
      const policy = { freeFailures: 2, baseDelayMs: 1_000, maxDelayMs: 1_000_000, forgetAfterMs: 60_000 };
      const t = Date.UTC(2026, 11, 1, 8);
      await Promise.all(Array.from({ length: 6 }, () => store.recordSignInFailure('otto', t, policy)));
      // Six failures, four past the free ones: 1 s doubled four times.
      expect(await store.signInBlockedUntil('otto')).toBe(t + 16_000);
    });

    it('announces new accounts to its subscribers and stops when unsubscribed', async () => {
      const changes: AccountChange[] = [];
      const unsubscribe = store.subscribe((c) => changes.push(c));
      const heard = announced(store, (c) => c.kind === 'account' && c.account.username === 'otto');
      await store.insert(otto());
      await heard;
      unsubscribe();
      const last = announced(store, (c) => c.kind === 'account' && c.account.username === 'ada');
      await store.insert(ada());
      await last;
      expect(changes.map((c) => (c.kind === 'account' ? c.account.username : c.kind))).toEqual(['otto']);
    });
  });
}
