import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Role } from '../../../shared/contract/index';
import {
  afterFailure,
  publicAccount,
  type BackoffPolicy,
  type AccountChange,
  type AccountStore,
  type NewAccount,
  type SessionCheck,
  type SessionEndReason,
  type StoredAccount,
} from '../account-store';
import type { Logger } from '../../core/logger';
import { LabChannel } from './lab-channel';
import { inTransaction } from './lab-database';

/** Serialises "insert only if nobody exists yet": two stations set up at once make one supervisor. */
const FIRST_ACCOUNT_LOCK = 727_171_003;
/** Every station listens here; a change is announced in the transaction that makes it. */
export const ACCOUNTS_CHANNEL = 'quire_accounts';

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  disabled: boolean;
  created_at: Date;
}

const toAccount = (row: AccountRow): StoredAccount => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  disabled: row.disabled,
  createdAt: row.created_at.toISOString(),
  passwordHash: row.password_hash,
});

const announce = (client: pg.PoolClient, change: AccountChange) =>
  client.query('SELECT pg_notify($1, $2)', [ACCOUNTS_CHANNEL, JSON.stringify(change)]);

/** Reads an announcement; anything unexpected (another Quire's format) asks for a full re-read. */
function parseChange(payload: string | undefined): AccountChange {
  try {
    const change = JSON.parse(payload ?? '') as AccountChange;
    if (change.kind === 'account' && typeof change.account?.id === 'string') return change;
    if (change.kind === 'password' && typeof change.accountId === 'string') return change;
  } catch {
    // fall through
  }
  return { kind: 'resync' };
}

/**
 * The lab's accounts and sessions on PostgreSQL, shared by every station. Changes are announced
 * with NOTIFY inside the transaction that makes them (delivered on commit, never for a rolled
 * back change), so every station's memory of who is disabled follows within moments; a
 * station's commands do not rely on that memory: each one checks its session row.
 */
export class LabAccountStore implements AccountStore {
  private readonly listeners = new Set<(change: AccountChange) => void>();
  private readonly channel: LabChannel;

  constructor(
    private readonly pool: pg.Pool,
    options: { logger?: Logger } = {},
  ) {
    this.channel = new LabChannel(pool, ACCOUNTS_CHANNEL, {
      logger: options.logger,
      onMessage: (payload) => this.emit(parseChange(payload)),
      onReconnect: () => this.emit({ kind: 'resync' }),
    });
  }

  /** Starts listening; resolves once the first LISTEN is in place (or its first attempt failed). */
  async start(): Promise<this> {
    await this.channel.start();
    return this;
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM lab_accounts');
    return rows[0]!.n;
  }

  async byUsername(username: string): Promise<StoredAccount | null> {
    const { rows } = await this.pool.query<AccountRow>('SELECT * FROM lab_accounts WHERE username = $1', [
      username,
    ]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async byId(id: string): Promise<StoredAccount | null> {
    const { rows } = await this.pool.query<AccountRow>('SELECT * FROM lab_accounts WHERE id = $1', [id]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async list(): Promise<StoredAccount[]> {
    const { rows } = await this.pool.query<AccountRow>('SELECT * FROM lab_accounts ORDER BY username');
    return rows.map(toAccount);
  }

  async insert(account: NewAccount, options: { onlyIfEmpty?: boolean } = {}): Promise<StoredAccount | null> {
    return inTransaction(this.pool, async (client) => {
      if (options.onlyIfEmpty) {
        await client.query('SELECT pg_advisory_xact_lock($1)', [FIRST_ACCOUNT_LOCK]);
        const { rows } = await client.query('SELECT 1 FROM lab_accounts LIMIT 1');
        if (rows.length > 0) return null;
      }
      const { rows } = await client.query<AccountRow>(
        `INSERT INTO lab_accounts (id, username, display_name, role, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING RETURNING *`,
        [
          randomUUID(),
          account.username,
          account.displayName,
          account.role,
          account.passwordHash,
          account.createdAt,
        ],
      );
      if (!rows[0]) return null;
      const created = toAccount(rows[0]);
      await announce(client, { kind: 'account', account: publicAccount(created) });
      return created;
    });
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('UPDATE lab_accounts SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
      await announce(client, { kind: 'password', accountId: id });
    });
  }

  async setDisabled(username: string, disabled: boolean, at: string): Promise<StoredAccount | null> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<AccountRow>(
        'UPDATE lab_accounts SET disabled = $2 WHERE username = $1 RETURNING *',
        [username, disabled],
      );
      if (!rows[0]) return null;
      const updated = toAccount(rows[0]);
      if (disabled)
        await client.query(
          `UPDATE lab_sessions SET ended_at = $2, ended_reason = 'account disabled'
           WHERE account_id = $1 AND ended_at IS NULL`,
          [updated.id, at],
        );
      await announce(client, { kind: 'account', account: publicAccount(updated) });
      return updated;
    });
  }

  async openSession(session: { accountId: string; station: string; startedAt: string }): Promise<string> {
    const id = randomUUID();
    await this.pool.query(
      'INSERT INTO lab_sessions (id, account_id, station, started_at) VALUES ($1, $2, $3, $4)',
      [id, session.accountId, session.station, session.startedAt],
    );
    return id;
  }

  async endSessions(ids: readonly string[], reason: SessionEndReason, at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      `UPDATE lab_sessions SET ended_at = $2, ended_reason = $3
       WHERE id = ANY($1::text[]) AND ended_at IS NULL`,
      [ids, at, reason],
    );
  }

  async checkSession(id: string): Promise<SessionCheck | null> {
    const { rows } = await this.pool.query<
      AccountRow & { ended_reason: SessionEndReason | null; account_id: string | null }
    >(
      `SELECT s.ended_reason, a.id AS account_id, a.*
       FROM lab_sessions s LEFT JOIN lab_accounts a ON a.id = s.account_id WHERE s.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return { account: row.account_id ? toAccount(row) : null, endedBecause: row.ended_reason };
  }

  async signInBlockedUntil(username: string): Promise<number> {
    const { rows } = await this.pool.query<{ blocked_until: string }>(
      'SELECT blocked_until FROM lab_sign_in_failures WHERE username = $1',
      [username],
    );
    return Number(rows[0]?.blocked_until ?? 0);
  }

  /** Read, computed and written under a row lock: failures at several stations at once all count. */
  async recordSignInFailure(username: string, at: number, policy: BackoffPolicy): Promise<number> {
    const blockedUntil = await inTransaction(this.pool, async (client) => {
      // Inserts the row or, when it exists, locks it (the no-op update), returning it either way.
      const { rows } = await client.query<{
        failures: number;
        last_failure_at: string;
        blocked_until: string;
      }>(
        `INSERT INTO lab_sign_in_failures (username, failures, last_failure_at, blocked_until)
         VALUES ($1, 0, 0, 0) ON CONFLICT (username) DO UPDATE SET username = excluded.username
         RETURNING failures, last_failure_at, blocked_until`,
        [username],
      );
      const row = rows[0]!;
      const next = afterFailure(
        row.failures === 0
          ? null
          : {
              failures: row.failures,
              lastFailureAt: Number(row.last_failure_at),
              blockedUntil: Number(row.blocked_until),
            },
        policy,
        at,
      );
      await client.query(
        `UPDATE lab_sign_in_failures SET failures = $2, last_failure_at = $3, blocked_until = $4
         WHERE username = $1`,
        [username, next.failures, next.lastFailureAt, next.blockedUntil],
      );
      return next.blockedUntil;
    });
    // Forgotten failures go, so guesses at made-up names do not pile up. A statement of its own,
    // after the commit: inside, two stations pruning each other's locked rows could deadlock.
    await this.pool
      .query('DELETE FROM lab_sign_in_failures WHERE last_failure_at <= $1', [at - policy.forgetAfterMs])
      .catch(() => {});
    return blockedUntil;
  }

  async clearSignInFailures(username: string): Promise<void> {
    await this.pool.query('DELETE FROM lab_sign_in_failures WHERE username = $1', [username]);
  }

  subscribe(listener: (change: AccountChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.channel.close();
  }

  private emit(change: AccountChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
