import type { Account, AuthStatus, Role, SessionUser } from '../../shared/contract/index';
import type { CoreContext } from '../core/core-context';
import { conflict, forbidden, notFound, StationError } from '../core/station-error';
import type { SettingsStore } from '../settings/settings-store';
import {
  publicAccount,
  type AccountChange,
  type AccountStore,
  type SessionEndReason,
  type StoredAccount,
} from '../records/account-store';
import { answered, passwordCheck } from './password-check';
import { CURRENT_PARAMS, hashPassword, type ScryptParams } from './password-hash';
import { ResumeCredentials } from './resume-credentials';

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
  status(session: AuthSession): Promise<AuthStatus>;
  setup(
    session: AuthSession,
    input: { username: string; displayName: string; password: string },
  ): Promise<AuthStatus>;
  signIn(session: AuthSession, input: { username: string; password: string }): Promise<AuthStatus>;
  signOut(session: AuthSession): Promise<AuthStatus>;
  /**
   * Takes over the session a resume credential stands for (a reloaded console): same person,
   * same lock state; the credential is used up and the old connection holds the session no more.
   */
  resume(session: AuthSession, token: string): Promise<AuthStatus>;
  lock(session: AuthSession): Promise<AuthStatus>;
  unlock(session: AuthSession, password: string): Promise<AuthStatus>;
  /**
   * Checks the signed-in session against the account store before each command: a session
   * ended anywhere (its account disabled at any station) or whose account is gone is signed
   * out, and one whose role changed gets the new role. Returns why it was signed out, or null.
   */
  revalidate(session: AuthSession): Promise<string | null>;
  /**
   * The same check from what this station knows now, without asking the store (before each
   * event is pushed): the store announces changes, so this follows it within moments.
   */
  revalidateKnown(session: AuthSession): string | null;
  /** Locks a session that has been idle longer than the configured time; called before each command. */
  applyIdleLock(session: AuthSession): void;
  touch(session: AuthSession): void;
  listAccounts(): Promise<Account[]>;
  createAccount(input: {
    username: string;
    displayName: string;
    password: string;
    role: Role;
  }): Promise<Account>;
  /**
   * Disabling ends every session of that person, at every station sharing the store, and
   * revokes their resume credentials.
   */
  setDisabled(actor: SessionUser, username: string, disabled: boolean): Promise<Account>;
  /** A supervisor sets a new password for someone; their resume credentials stop working. */
  resetPassword(username: string, password: string): Promise<Account>;
  close(): Promise<void>;
}

export interface AuthDeps {
  settings: SettingsStore;
  /** Where people and sessions are kept; the module closes it. */
  store: AccountStore;
  /** This station's name, recorded with each session it opens. */
  station: () => string;
  passwordHashParams?: ScryptParams;
}

export async function createAuthModule(core: CoreContext, deps: AuthDeps): Promise<AuthModule> {
  const { store } = deps;
  const hashParams = deps.passwordHashParams ?? CURRENT_PARAMS;
  const idleMs = () => deps.settings.get().idleLockMinutes * 60_000;
  const now = () => core.clock.now();
  const isoNow = () => new Date(now()).toISOString();
  const checkPassword = passwordCheck({ store, hashParams, now, logger: core.logger });
  const resumable = new ResumeCredentials<AuthSession>(now);

  /** Accounts are never deleted: once one exists, setup is over for good (and needs no query). */
  let setUp = false;
  const needsSetup = async () => (setUp ||= (await answered(store.count())) > 0) === false;
  await needsSetup();

  /** What this station last learned of each account it has seen, for checks that cannot wait. */
  const known = new Map<string, Account>();
  const remember = (account: Account) => known.set(account.id, publicAccount(account));
  const onChange = (change: AccountChange) => {
    if (change.kind === 'account') {
      remember(change.account);
      if (change.account.disabled) resumable.revokeUser(change.account.id);
    } else if (change.kind === 'password') {
      resumable.revokeUser(change.accountId);
    } else {
      store
        .list()
        .then((accounts) => accounts.forEach(remember))
        .catch((error: Error) => core.logger.warn({ err: error.message }, 'could not re-read the accounts'));
    }
  };
  const unsubscribe = store.subscribe(onChange);

  /** The store's record of each live session (moved with it when a console resumes). */
  const records = new WeakMap<AuthSession, string>();
  /** Records this station opened and has not ended: closed when the station stops. */
  const open = new Set<string>();

  /** Every status a signed-in console receives carries a fresh resume credential (rotation). */
  const status = async (session: AuthSession): Promise<AuthStatus> => ({
    needsSetup: await needsSetup(),
    user: session.user,
    locked: session.locked,
    idleLockMinutes: deps.settings.get().idleLockMinutes,
    resume: resumable.issue(session),
  });

  /** Sessions ended because their account was disabled, and the reason, until they sign in again. */
  const endedBecause = new WeakMap<AuthSession, string>();

  /** Forgets a session here; returns its record, which the caller ends in the store if it must. */
  const endHere = (session: AuthSession): string | undefined => {
    const record = records.get(session);
    records.delete(session);
    if (record) open.delete(record);
    resumable.revokeSession(session);
    session.user = null;
    session.locked = false;
    return record;
  };

  const signedIn = async (session: AuthSession, account: StoredAccount) => {
    const record = await answered(
      store.openSession({ accountId: account.id, station: deps.station(), startedAt: isoNow() }),
    );
    open.add(record);
    await endRecord(endHere(session), 'replaced');
    records.set(session, record);
    remember(account);
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
   * Closes a session's record in the store. The session has already ended here; a record the
   * store cannot close now (the lab database away) only stays open in the lab's listing.
   */
  const endRecord = async (record: string | undefined, reason: SessionEndReason) => {
    if (!record) return;
    await store
      .endSessions([record], reason, isoNow())
      .catch((error: Error) => core.logger.warn({ err: error.message }, 'could not close a session record'));
  };

  const signOut = async (session: AuthSession) => endRecord(endHere(session), 'signed out');

  /** Applies what is known of a session's account: signs it out (saying why) or follows a new role. */
  const apply = (
    session: AuthSession,
    account: Account | null,
    ended: SessionEndReason | null,
  ): string | null => {
    const user = session.user!;
    if (!account || account.disabled || ended) {
      endHere(session);
      const reason =
        !account || account.disabled || ended === 'account disabled'
          ? `the account ${user.username} is ${account ? 'disabled' : 'gone'}, so this session was signed out`
          : `this session was ended (${ended}), so it was signed out`;
      // Kept until the next sign-in, so a command after an event-time check still says why.
      endedBecause.set(session, reason);
      core.logger.info({ username: user.username, reason }, 'session ended');
      return reason;
    }
    if (account.role !== user.role || account.displayName !== user.displayName)
      session.user = { ...user, role: account.role, displayName: account.displayName };
    return null;
  };

  const revalidateKnown = (session: AuthSession): string | null => {
    const user = session.user;
    if (!user) return endedBecause.get(session) ?? null;
    const account = known.get(user.id);
    return account ? apply(session, account, null) : null;
  };

  const revalidate = async (session: AuthSession): Promise<string | null> => {
    const user = session.user;
    if (!user) return endedBecause.get(session) ?? null;
    const record = records.get(session);
    // Not opened by this module (nothing else should sign a connection in): it ends here.
    if (!record) return apply(session, known.get(user.id) ?? null, 'signed out');
    let check;
    try {
      check = await store.checkSession(record);
    } catch (error) {
      // The store did not answer (the lab database is away): what this station last learned
      // decides, so work already signed in goes on; sign-in and account changes wait for it.
      core.logger.warn({ err: (error as Error).message }, 'could not check the session; using what is known');
      return revalidateKnown(session);
    }
    // Signed out or moved to another connection while the check ran: that answer stands.
    if (session.user !== user || records.get(session) !== record) return endedBecause.get(session) ?? null;
    if (check?.account) remember(check.account);
    if (!check) return apply(session, null, null);
    return apply(session, check.account, check.endedBecause);
  };
  const applyIdleLock = (session: AuthSession): void => {
    if (session.user && !session.locked && now() - session.lastActivityAt > idleMs()) session.locked = true;
  };

  return {
    status,
    async setup(session, input) {
      const passwordHash = await hashPassword(input.password, hashParams);
      const created = await answered(
        store.insert(
          { ...input, role: 'supervisor', passwordHash, createdAt: isoNow() },
          { onlyIfEmpty: true },
        ),
      );
      if (!created) throw conflict('the station is already set up; sign in instead');
      setUp = true;
      await signedIn(session, created);
      return status(session);
    },
    async signIn(session, input) {
      const account = await checkPassword(session, input.username, input.password);
      if (!account) throw new StationError('UNAUTHENTICATED', 'wrong username or password');
      if (account.disabled) throw new StationError('UNAUTHENTICATED', 'this account is disabled');
      await signedIn(session, account);
      return status(session);
    },
    async signOut(session) {
      endedBecause.delete(session);
      await signOut(session);
      return status(session);
    },
    async resume(session, token) {
      const held = resumable.redeem(token);
      if (!held?.user) throw new StationError('UNAUTHENTICATED', 'this session has ended; sign in again');
      const ended = await revalidate(held);
      if (ended) throw new StationError('UNAUTHENTICATED', ended);
      if (!held.user) throw new StationError('UNAUTHENTICATED', 'this session has ended; sign in again');
      applyIdleLock(held);
      if (held !== session) {
        const record = records.get(held)!;
        await endRecord(endHere(session), 'replaced');
        session.user = held.user;
        session.locked = held.locked;
        session.lastActivityAt = held.lastActivityAt;
        endedBecause.delete(session);
        // The old connection (a page that reloaded, or whoever copied the credential) loses it.
        endHere(held);
        records.set(session, record);
        open.add(record);
      }
      core.logger.info({ username: session.user?.username }, 'session resumed');
      return status(session);
    },
    async lock(session) {
      session.locked = true;
      return status(session);
    },
    async unlock(session, password) {
      const user = session.user;
      if (!user) throw new StationError('UNAUTHENTICATED', 'nobody is signed in');
      const account = await checkPassword(session, user.username, password);
      if (!account) throw new StationError('UNAUTHENTICATED', 'wrong password');
      if (account.disabled || account.id !== user.id) {
        await signOut(session);
        throw new StationError('UNAUTHENTICATED', 'this account is disabled; signed out');
      }
      session.locked = false;
      session.lastActivityAt = now();
      return status(session);
    },
    revalidate,
    revalidateKnown,
    applyIdleLock,
    touch(session) {
      if (session.user && !session.locked) session.lastActivityAt = now();
    },
    listAccounts: async () => {
      const accounts = await answered(store.list());
      accounts.forEach(remember);
      return accounts.map(publicAccount);
    },
    async createAccount(input) {
      const passwordHash = await hashPassword(input.password, hashParams);
      const created = await answered(store.insert({ ...input, passwordHash, createdAt: isoNow() }));
      if (!created) throw conflict(`an account named ${input.username} already exists`);
      setUp = true;
      remember(created);
      return publicAccount(created);
    },
    async setDisabled(actor, username, disabled) {
      if (actor.username === username && disabled) throw forbidden('you cannot disable your own account');
      const updated = await answered(store.setDisabled(username, disabled, isoNow()));
      if (!updated) throw notFound(`account ${username}`);
      remember(updated);
      if (disabled) resumable.revokeUser(updated.id);
      core.logger.info({ username, disabled }, disabled ? 'account disabled' : 'account re-enabled');
      return publicAccount(updated);
    },
    async resetPassword(username, password) {
      const account = await answered(store.byUsername(username));
      if (!account) throw notFound(`account ${username}`);
      await answered(store.setPasswordHash(account.id, await hashPassword(password, hashParams)));
      resumable.revokeUser(account.id);
      core.logger.info({ username }, 'password reset by a supervisor');
      return publicAccount(account);
    },
    close: async () => {
      unsubscribe();
      try {
        // The consoles' sessions live in this process: they end with it.
        await store.endSessions([...open], 'station stopped', isoNow());
      } catch (error) {
        core.logger.warn({ err: (error as Error).message }, 'could not close the sessions of this station');
      }
      open.clear();
      await store.close();
    },
  };
}
