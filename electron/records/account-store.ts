import type { Account, Role } from '../../shared/contract/index';

/**
 * Where people, their password hashes and their sessions are kept: the station's own SQLite
 * for a single station, the lab's PostgreSQL for a lab of stations. The auth module holds the
 * rules (who may sign in, what ends a session) and talks only to this interface.
 */
export interface StoredAccount extends Account {
  passwordHash: string;
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
}

/** Why a session record was closed. */
export type SessionEndReason = 'signed out' | 'account disabled' | 'replaced' | 'station stopped';

/** What a live session's next step is checked against. */
export interface SessionCheck {
  /** The session's account as stored now; null when it is gone. */
  account: StoredAccount | null;
  /** Set once the session was ended, wherever that happened. */
  endedBecause: SessionEndReason | null;
}

/**
 * A change another writer (or this one) made to the accounts: an account's public fields, its
 * password changed, or `resync` when changes may have been missed (the link was lost) and
 * what is remembered must be read again.
 */
export type AccountChange =
  { kind: 'account'; account: Account } | { kind: 'password'; accountId: string } | { kind: 'resync' };

/** Accounts are never deleted: a person stays resolvable as the agent of past audit events. */
export interface AccountStore {
  count(): Promise<number>;
  byUsername(username: string): Promise<StoredAccount | null>;
  byId(id: string): Promise<StoredAccount | null>;
  list(): Promise<StoredAccount[]>;
  /**
   * Inserts an account; null when the username is taken or, with onlyIfEmpty, when any account
   * exists (checked and inserted atomically, whoever else is setting up at the same time).
   */
  insert(account: NewAccount, options?: { onlyIfEmpty?: boolean }): Promise<StoredAccount | null>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /**
   * Disabling ends every open session of that person in the same write, wherever they were
   * opened: re-enabling does not revive them. Null when there is no such account.
   */
  setDisabled(username: string, disabled: boolean, at: string): Promise<StoredAccount | null>;
  /** Records a session opened for an account at a station; returns its id. */
  openSession(session: { accountId: string; station: string; startedAt: string }): Promise<string>;
  /** Closes sessions that are still open (closing an ended one again changes nothing). */
  endSessions(ids: readonly string[], reason: SessionEndReason, at: string): Promise<void>;
  /** The session and its account as stored now; null for a session id never recorded. */
  checkSession(id: string): Promise<SessionCheck | null>;
  /**
   * Failed sign-ins per username, shared by everyone using the store (in a lab: every station),
   * so guessing at one account gets slower wherever the guesses come from.
   */
  signInBlockedUntil(username: string): Promise<number>;
  recordSignInFailure(username: string, at: number, policy: BackoffPolicy): Promise<number>;
  clearSignInFailures(username: string): Promise<void>;
  /** Calls the listener with every change announced to this store; returns the unsubscribe. */
  subscribe(listener: (change: AccountChange) => void): () => void;
  close(): Promise<void>;
}

/** The public fields of a stored account, as the console and change announcements carry them. */
export const publicAccount = (a: Account): Account => ({
  id: a.id,
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  disabled: a.disabled,
  createdAt: a.createdAt,
});

/**
 * From the `freeFailures`th failure on, each failure starts a wait of `baseDelayMs`, doubling
 * with each further failure up to `maxDelayMs`; failures older than `forgetAfterMs` are forgotten.
 */
export interface BackoffPolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
}

export interface FailureRecord {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

/** The record after one more failure at `at` (both engines compute it the same way). */
export function afterFailure(
  previous: FailureRecord | null,
  policy: BackoffPolicy,
  at: number,
): FailureRecord {
  const kept = previous && at - previous.lastFailureAt < policy.forgetAfterMs ? previous.failures : 0;
  const failures = kept + 1;
  const over = failures - policy.freeFailures;
  const blockedUntil =
    over >= 0 ? at + Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(over, 30)) : 0;
  return { failures, lastFailureAt: at, blockedUntil };
}
