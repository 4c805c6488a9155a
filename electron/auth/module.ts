import type { Account, AuthStatus, Role, SessionUser } from '../../shared/contract/index';
import type { CoreContext } from '../core/core-context';
import { conflict, forbidden, notFound, StationError } from '../core/station-error';
import type { SettingsStore } from '../settings/settings-store';
import { AccountStore, type StoredAccount } from './account-store';
import {
  CURRENT_PARAMS,
  hashPassword,
  needsRehash,
  unmatchableHash,
  verifyPassword,
  type ScryptParams,
} from './password-hash';
import { ResumeCredentials } from './resume-credentials';
import { SignInThrottle } from './sign-in-throttle';

/** The per-connection state the auth module reads and changes (owned by the transport). */
export interface AuthSession {
  user: SessionUser | null;
  locked: boolean;
  lastActivityAt: number;
}

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
  /**
   * Takes over the session a resume credential stands for (a reloaded console): same person,
   * same lock state; the credential is used up and the old connection holds the session no more.
   */
  resume(session: AuthSession, token: string): AuthStatus;
  lock(session: AuthSession): AuthStatus;
  unlock(session: AuthSession, password: string): Promise<AuthStatus>;
  /**
   * Re-reads the signed-in account before each command and event: a session whose account was
   * disabled (or is gone) is signed out, and one whose role changed gets the new role.
   * Returns why the session was signed out, or null.
   */
  revalidate(session: AuthSession): string | null;
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
  /** Disabling ends every session of that person at its next step, and revokes their resume credentials. */
  setDisabled(actor: SessionUser, username: string, disabled: boolean): Account;
  /** A supervisor sets a new password for someone; their resume credentials stop working. */
  resetPassword(username: string, password: string): Promise<Account>;
  close(): Promise<void>;
}

export async function createAuthModule(
  core: CoreContext,
  deps: { settings: SettingsStore; passwordHashParams?: ScryptParams },
): Promise<AuthModule> {
  const hashParams = deps.passwordHashParams ?? CURRENT_PARAMS;
  const dummyHash = unmatchableHash(hashParams);
  const accounts = new AccountStore(core.db);
  const idleMs = () => deps.settings.get().idleLockMinutes * 60_000;
  const now = () => core.clock.now();
  const throttle = new SignInThrottle(now);
  const resumable = new ResumeCredentials<AuthSession>(now);

  /** Every status a signed-in console receives carries a fresh resume credential (rotation). */
  const status = (session: AuthSession): AuthStatus => ({
    needsSetup: accounts.count() === 0,
    user: session.user,
    locked: session.locked,
    idleLockMinutes: deps.settings.get().idleLockMinutes,
    resume: resumable.issue(session),
  });

  /** Sessions ended because their account was disabled, and the reason, until they sign in again. */
  const endedBecause = new WeakMap<AuthSession, string>();

  const signedIn = (session: AuthSession, account: StoredAccount) => {
    endedBecause.delete(session);
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

  /**
   * Checks a password under the throttle: the attempt is reserved before the hash is awaited,
   * so concurrent guesses cannot all get through. A weaker stored hash is replaced on success.
   */
  const checkPassword = async (
    session: AuthSession,
    username: string,
    password: string,
  ): Promise<StoredAccount | null> => {
    const attempt = throttle.reserve(username, session);
    try {
      const account = accounts.byUsername(username);
      // Hash even for unknown names, so response time does not reveal which usernames exist.
      const ok = await verifyPassword(password, account?.passwordHash ?? dummyHash);
      if (!account || !ok) {
        attempt.failed();
        return null;
      }
      attempt.succeeded();
      if (needsRehash(account.passwordHash, hashParams)) {
        accounts.setPasswordHash(account.id, await hashPassword(password, hashParams));
        core.logger.info({ username }, 'password hash upgraded to the current parameters');
      }
      return account;
    } catch (error) {
      attempt.abandon();
      throw error;
    }
  };

  const signOut = (session: AuthSession) => {
    resumable.revokeSession(session);
    session.user = null;
    session.locked = false;
  };

  const publicAccount = (a: StoredAccount): Account => ({
    id: a.id,
    username: a.username,
    displayName: a.displayName,
    role: a.role,
    disabled: a.disabled,
    createdAt: a.createdAt,
  });

  const revalidate = (session: AuthSession): string | null => {
    const user = session.user;
    if (!user) return endedBecause.get(session) ?? null;
    const account = accounts.byId(user.id);
    if (!account || account.disabled) {
      signOut(session);
      const reason = `the account ${user.username} is ${account ? 'disabled' : 'gone'}, so this session was signed out`;
      // Kept until the next sign-in, so a command after an event-time check still says why.
      endedBecause.set(session, reason);
      core.logger.info({ username: user.username }, 'session ended: the account is disabled');
      return reason;
    }
    if (account.role !== user.role || account.displayName !== user.displayName)
      session.user = { ...user, role: account.role, displayName: account.displayName };
    return null;
  };
  const applyIdleLock = (session: AuthSession): void => {
    if (session.user && !session.locked && now() - session.lastActivityAt > idleMs()) session.locked = true;
  };

  return {
    status,
    async setup(session, input) {
      const passwordHash = await hashPassword(input.password, hashParams);
      const created = accounts.insert(
        { ...input, role: 'supervisor', passwordHash, createdAt: new Date(now()).toISOString() },
        { onlyIfEmpty: true },
      );
      if (!created) throw conflict('the station is already set up; sign in instead');
      signedIn(session, created);
      return status(session);
    },
    async signIn(session, input) {
      const account = await checkPassword(session, input.username, input.password);
      if (!account) throw new StationError('UNAUTHENTICATED', 'wrong username or password');
      if (account.disabled) throw new StationError('UNAUTHENTICATED', 'this account is disabled');
      signedIn(session, account);
      return status(session);
    },
    signOut(session) {
      endedBecause.delete(session);
      signOut(session);
      return status(session);
    },
    resume(session, token) {
      const held = resumable.redeem(token);
      if (!held?.user) throw new StationError('UNAUTHENTICATED', 'this session has ended; sign in again');
      const ended = revalidate(held);
      if (ended) throw new StationError('UNAUTHENTICATED', ended);
      applyIdleLock(held);
      if (held !== session) {
        session.user = held.user;
        session.locked = held.locked;
        session.lastActivityAt = held.lastActivityAt;
        endedBecause.delete(session);
        // The old connection (a page that reloaded, or whoever copied the credential) loses it.
        signOut(held);
      }
      core.logger.info({ username: session.user?.username }, 'session resumed');
      return status(session);
    },
    lock(session) {
      session.locked = true;
      return status(session);
    },
    async unlock(session, password) {
      const user = session.user;
      if (!user) throw new StationError('UNAUTHENTICATED', 'nobody is signed in');
      const account = await checkPassword(session, user.username, password);
      if (!account) throw new StationError('UNAUTHENTICATED', 'wrong password');
      if (account.disabled || account.id !== user.id) {
        signOut(session);
        throw new StationError('UNAUTHENTICATED', 'this account is disabled; signed out');
      }
      session.locked = false;
      session.lastActivityAt = now();
      return status(session);
    },
    revalidate,
    applyIdleLock,
    touch(session) {
      if (session.user && !session.locked) session.lastActivityAt = now();
    },
    listAccounts: () => accounts.list().map(publicAccount),
    async createAccount(input) {
      const passwordHash = await hashPassword(input.password, hashParams);
      const created = accounts.insert({ ...input, passwordHash, createdAt: new Date(now()).toISOString() });
      if (!created) throw conflict(`an account named ${input.username} already exists`);
      return publicAccount(created);
    },
    setDisabled(actor, username, disabled) {
      if (actor.username === username && disabled) throw forbidden('you cannot disable your own account');
      const updated = accounts.setDisabled(username, disabled);
      if (!updated) throw notFound(`account ${username}`);
      if (disabled) resumable.revokeUser(updated.id);
      core.logger.info({ username, disabled }, disabled ? 'account disabled' : 'account re-enabled');
      return publicAccount(updated);
    },
    async resetPassword(username, password) {
      const account = accounts.byUsername(username);
      if (!account) throw notFound(`account ${username}`);
      accounts.setPasswordHash(account.id, await hashPassword(password, hashParams));
      resumable.revokeUser(account.id);
      core.logger.info({ username }, 'password reset by a supervisor');
      return publicAccount(account);
    },
    close: async () => {},
  };
}
