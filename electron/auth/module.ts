import type { Account, AuthStatus, Role, SessionUser } from '../../shared/contract/index';
import type { CoreContext } from '../core/core-context';
import { conflict, forbidden, notFound, StationError } from '../core/station-error';
import type { SettingsStore } from '../settings/settings-store';
import { AccountStore, type StoredAccount } from './account-store';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './password-hash';

/** The per-connection state the auth module reads and changes (owned by the transport). */
export interface AuthSession {
  user: SessionUser | null;
  locked: boolean;
  lastActivityAt: number;
}

const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 60_000;

/**
 * Local accounts, sign-in and the idle lock. Roles are enforced by the dispatcher from the
 * contract's access levels; this module decides who a connection is.
 */
export interface AuthModule {
  status(session: AuthSession): AuthStatus;
  setup(
    session: AuthSession,
    input: { username: string; displayName: string; password: string },
  ): Promise<AuthStatus>;
  signIn(session: AuthSession, input: { username: string; password: string }): Promise<AuthStatus>;
  signOut(session: AuthSession): AuthStatus;
  lock(session: AuthSession): AuthStatus;
  unlock(session: AuthSession, password: string): Promise<AuthStatus>;
  /** Locks a session that has been idle longer than the configured time; called before each command. */
  applyIdleLock(session: AuthSession): void;
  touch(session: AuthSession): void;
  listAccounts(): Account[];
  createAccount(input: {
    username: string;
    displayName: string;
    password: string;
    role: Role;
  }): Promise<Account>;
  setDisabled(actor: SessionUser, username: string, disabled: boolean): Account;
  close(): Promise<void>;
}

export async function createAuthModule(
  core: CoreContext,
  deps: { settings: SettingsStore },
): Promise<AuthModule> {
  const accounts = new AccountStore(core.db);
  const failures = new Map<string, { count: number; since: number }>();
  const idleMs = () => deps.settings.get().idleLockMinutes * 60_000;
  const now = () => core.clock.now();

  const status = (session: AuthSession): AuthStatus => ({
    needsSetup: accounts.count() === 0,
    user: session.user,
    locked: session.locked,
    idleLockMinutes: deps.settings.get().idleLockMinutes,
  });

  const signedIn = (session: AuthSession, account: StoredAccount) => {
    session.user = {
      id: account.id,
      username: account.username,
      displayName: account.displayName,
      role: account.role,
    };
    session.locked = false;
    session.lastActivityAt = now();
    core.logger.info({ username: account.username, role: account.role }, 'signed in');
  };

  const checkThrottle = (username: string) => {
    const entry = failures.get(username);
    if (entry && entry.count >= MAX_FAILURES && now() - entry.since < FAILURE_WINDOW_MS) {
      throw new StationError('UNAUTHENTICATED', 'too many failed attempts; wait a minute and try again');
    }
  };

  const recordFailure = (username: string) => {
    const entry = failures.get(username);
    if (!entry || now() - entry.since >= FAILURE_WINDOW_MS)
      failures.set(username, { count: 1, since: now() });
    else entry.count += 1;
  };

  const publicAccount = (a: StoredAccount): Account => ({
    id: a.id,
    username: a.username,
    displayName: a.displayName,
    role: a.role,
    disabled: a.disabled,
    createdAt: a.createdAt,
  });

  return {
    status,
    async setup(session, input) {
      const passwordHash = await hashPassword(input.password);
      const created = accounts.insert(
        { ...input, role: 'supervisor', passwordHash, createdAt: new Date(now()).toISOString() },
        { onlyIfEmpty: true },
      );
      if (!created) throw conflict('the station is already set up; sign in instead');
      signedIn(session, created);
      return status(session);
    },
    async signIn(session, input) {
      checkThrottle(input.username);
      const account = accounts.byUsername(input.username);
      // Hash even for unknown names, so response time does not reveal which usernames exist.
      const ok = await verifyPassword(input.password, account?.passwordHash ?? (await DUMMY_HASH_PROMISE));
      if (!account || !ok || account.disabled) {
        recordFailure(input.username);
        throw new StationError(
          'UNAUTHENTICATED',
          account?.disabled && ok ? 'this account is disabled' : 'wrong username or password',
        );
      }
      failures.delete(input.username);
      signedIn(session, account);
      return status(session);
    },
    signOut(session) {
      session.user = null;
      session.locked = false;
      return status(session);
    },
    lock(session) {
      session.locked = true;
      return status(session);
    },
    async unlock(session, password) {
      const user = session.user;
      if (!user) throw new StationError('UNAUTHENTICATED', 'nobody is signed in');
      checkThrottle(user.username);
      const account = accounts.byUsername(user.username);
      if (!account || account.disabled || !(await verifyPassword(password, account.passwordHash))) {
        recordFailure(user.username);
        throw new StationError('UNAUTHENTICATED', 'wrong password');
      }
      failures.delete(user.username);
      session.locked = false;
      session.lastActivityAt = now();
      return status(session);
    },
    applyIdleLock(session) {
      if (session.user && !session.locked && now() - session.lastActivityAt > idleMs()) session.locked = true;
    },
    touch(session) {
      if (session.user && !session.locked) session.lastActivityAt = now();
    },
    listAccounts: () => accounts.list().map(publicAccount),
    async createAccount(input) {
      const passwordHash = await hashPassword(input.password);
      const created = accounts.insert({ ...input, passwordHash, createdAt: new Date(now()).toISOString() });
      if (!created) throw conflict(`an account named ${input.username} already exists`);
      return publicAccount(created);
    },
    setDisabled(actor, username, disabled) {
      if (actor.username === username && disabled) throw forbidden('you cannot disable your own account');
      const updated = accounts.setDisabled(username, disabled);
      if (!updated) throw notFound(`account ${username}`);
      return publicAccount(updated);
    },
    close: async () => {},
  };
}
