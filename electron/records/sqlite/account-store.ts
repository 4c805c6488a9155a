import { randomUUID } from 'node:crypto';
import type { Role } from '../../../shared/contract/index';
import type { Db } from '../../storage/index';
import { migrate } from '../../storage/index';
import {
  afterFailure,
  publicAccount,
  type BackoffPolicy,
  type FailureRecord,
  type AccountChange,
  type AccountStore,
  type NewAccount,
  type SessionCheck,
  type SessionEndReason,
  type StoredAccount,
} from '../account-store';

const MIGRATIONS = [
  {
    version: 1,
    name: 'accounts',
    sql: `CREATE TABLE accounts (
      id TEXT PRIMARY KEY,
      username TEXT NOT NULL UNIQUE,
      display_name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
      password_hash TEXT NOT NULL,
      disabled INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL
    )`,
  },
  {
    version: 2,
    name: 'sessions',
    sql: `CREATE TABLE auth_sessions (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      station TEXT NOT NULL,
      started_at TEXT NOT NULL,
      ended_at TEXT,
      ended_reason TEXT
    );
    CREATE INDEX auth_sessions_open ON auth_sessions (account_id) WHERE ended_at IS NULL`,
  },
  {
    version: 3,
    name: 'sign-in failures',
    sql: `CREATE TABLE auth_sign_in_failures (
      username TEXT PRIMARY KEY,
      failures INTEGER NOT NULL,
      last_failure_at INTEGER NOT NULL,
      blocked_until INTEGER NOT NULL
    )`,
  },
];

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: string;
}

const toAccount = (row: AccountRow): StoredAccount => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  disabled: row.disabled === 1,
  createdAt: row.created_at,
  passwordHash: row.password_hash,
});

/**
 * A station's accounts as they stand, read without migrating or writing anything (for moving
 * them into the lab, which must leave the station's database untouched). None before setup.
 */
export function readStationAccounts(db: Db): StoredAccount[] {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'accounts'").get();
  if (!table) return [];
  return (db.prepare('SELECT * FROM accounts ORDER BY username').all() as AccountRow[]).map(toAccount);
}

/**
 * The accounts of a single station, in its own SQLite database. SQLite answers synchronously;
 * the answers are wrapped as promises to fit the interface. Changes are announced to this
 * store's own subscribers: nothing else writes this database's accounts while the station runs.
 */
export class SqliteAccountStore implements AccountStore {
  /** Prepared once: sessions are checked before every command. */
  private readonly selectSession: ReturnType<Db['prepare']>;
  private readonly listeners = new Set<(change: AccountChange) => void>();

  constructor(private readonly db: Db) {
    migrate(db, 'auth', MIGRATIONS);
    this.selectSession = db.prepare(
      `SELECT s.ended_reason AS ended_reason, a.id AS account_id, a.*
       FROM auth_sessions s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.id = ?`,
    );
  }

  async count(): Promise<number> {
    return this.countNow();
  }

  async byUsername(username: string): Promise<StoredAccount | null> {
    return this.byUsernameNow(username);
  }

  async byId(id: string): Promise<StoredAccount | null> {
    const row = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  async list(): Promise<StoredAccount[]> {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY username').all() as AccountRow[]).map(toAccount);
  }

  async insert(account: NewAccount, options: { onlyIfEmpty?: boolean } = {}): Promise<StoredAccount | null> {
    const insert = this.db.transaction(() => {
      if (options.onlyIfEmpty && this.countNow() > 0) return null;
      if (this.byUsernameNow(account.username)) return null;
      this.db
        .prepare(
          'INSERT INTO accounts (id, username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          randomUUID(),
          account.username,
          account.displayName,
          account.role,
          account.passwordHash,
          account.createdAt,
        );
      return this.byUsernameNow(account.username);
    });
    const created = insert.immediate();
    if (created) this.announce({ kind: 'account', account: publicAccount(created) });
    return created;
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    this.db.prepare('UPDATE accounts SET password_hash = ? WHERE id = ?').run(passwordHash, id);
    this.announce({ kind: 'password', accountId: id });
  }

  async setDisabled(username: string, disabled: boolean, at: string): Promise<StoredAccount | null> {
    const update = this.db.transaction(() => {
      this.db.prepare('UPDATE accounts SET disabled = ? WHERE username = ?').run(disabled ? 1 : 0, username);
      const account = this.byUsernameNow(username);
      if (account && disabled)
        this.db
          .prepare(
            `UPDATE auth_sessions SET ended_at = ?, ended_reason = 'account disabled'
             WHERE account_id = ? AND ended_at IS NULL`,
          )
          .run(at, account.id);
      return account;
    });
    const updated = update.immediate();
    if (updated) this.announce({ kind: 'account', account: publicAccount(updated) });
    return updated;
  }

  async openSession(session: { accountId: string; station: string; startedAt: string }): Promise<string> {
    const id = randomUUID();
    this.db
      .prepare('INSERT INTO auth_sessions (id, account_id, station, started_at) VALUES (?, ?, ?, ?)')
      .run(id, session.accountId, session.station, session.startedAt);
    return id;
  }

  async endSessions(ids: readonly string[], reason: SessionEndReason, at: string): Promise<void> {
    const end = this.db.prepare(
      'UPDATE auth_sessions SET ended_at = ?, ended_reason = ? WHERE id = ? AND ended_at IS NULL',
    );
    this.db.transaction(() => ids.forEach((id) => end.run(at, reason, id)))();
  }

  async checkSession(id: string): Promise<SessionCheck | null> {
    const row = this.selectSession.get(id) as
      (AccountRow & { ended_reason: SessionEndReason | null; account_id: string | null }) | undefined;
    if (!row) return null;
    return { account: row.account_id ? toAccount(row) : null, endedBecause: row.ended_reason };
  }

  async signInBlockedUntil(username: string): Promise<number> {
    const row = this.db
      .prepare('SELECT blocked_until FROM auth_sign_in_failures WHERE username = ?')
      .get(username) as { blocked_until: number } | undefined;
    return row?.blocked_until ?? 0;
  }

  async recordSignInFailure(username: string, at: number, policy: BackoffPolicy): Promise<number> {
    const record = this.db.transaction(() => {
      const previous = this.db
        .prepare(
          `SELECT failures, last_failure_at AS lastFailureAt, blocked_until AS blockedUntil
           FROM auth_sign_in_failures WHERE username = ?`,
        )
        .get(username) as FailureRecord | undefined;
      const next = afterFailure(previous ?? null, policy, at);
      // Forgotten failures go, so guesses at made-up names do not pile up.
      this.db
        .prepare('DELETE FROM auth_sign_in_failures WHERE last_failure_at <= ? AND username <> ?')
        .run(at - policy.forgetAfterMs, username);
      this.db
        .prepare(
          `INSERT INTO auth_sign_in_failures (username, failures, last_failure_at, blocked_until)
           VALUES (?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET failures = excluded.failures,
           last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until`,
        )
        .run(username, next.failures, next.lastFailureAt, next.blockedUntil);
      return next;
    });
    return record.immediate().blockedUntil;
  }

  async clearSignInFailures(username: string): Promise<void> {
    this.db.prepare('DELETE FROM auth_sign_in_failures WHERE username = ?').run(username);
  }

  subscribe(listener: (change: AccountChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private countNow(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n;
  }

  private byUsernameNow(username: string): StoredAccount | null {
    const row = this.db.prepare('SELECT * FROM accounts WHERE username = ?').get(username) as
      AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  private announce(change: AccountChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
