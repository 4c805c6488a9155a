import { randomUUID } from 'node:crypto';
import type { Account, Role } from '../../shared/contract/index';
import type { Db } from '../storage/index';
import { migrate } from '../storage/index';

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

export interface StoredAccount extends Account {
  passwordHash: string;
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

/** Local accounts. Never deleted: a person stays resolvable as the agent of past audit events. */
export class AccountStore {
  /** Prepared once: sessions re-read their account before every command and event. */
  private readonly selectById: ReturnType<Db['prepare']>;

  constructor(private readonly db: Db) {
    migrate(db, 'auth', MIGRATIONS);
    this.selectById = db.prepare('SELECT * FROM accounts WHERE id = ?');
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n;
  }

  byUsername(username: string): StoredAccount | null {
    const row = this.db.prepare('SELECT * FROM accounts WHERE username = ?').get(username) as
      AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  byId(id: string): StoredAccount | null {
    const row = this.selectById.get(id) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  /** Replaces a hash with a stronger one of the same password (at sign-in, when parameters were raised). */
  setPasswordHash(id: string, passwordHash: string): void {
    this.db.prepare('UPDATE accounts SET password_hash = ? WHERE id = ?').run(passwordHash, id);
  }

  list(): StoredAccount[] {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY username').all() as AccountRow[]).map(toAccount);
  }

  /** Inserts an account; with onlyIfEmpty, atomically refuses when any account exists. */
  insert(
    account: { username: string; displayName: string; role: Role; passwordHash: string; createdAt: string },
    options: { onlyIfEmpty?: boolean } = {},
  ): StoredAccount | null {
    const insert = this.db.transaction(() => {
      if (options.onlyIfEmpty && this.count() > 0) return null;
      if (this.byUsername(account.username)) return null;
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
      return this.byUsername(account.username);
    });
    return insert.immediate();
  }

  setDisabled(username: string, disabled: boolean): StoredAccount | null {
    this.db.prepare('UPDATE accounts SET disabled = ? WHERE username = ?').run(disabled ? 1 : 0, username);
    return this.byUsername(username);
  }
}
