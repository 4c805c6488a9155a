import type { RetentionPolicy } from '../../shared/contract/transfer';
import { migrate, type Db, type Migration } from '../storage/index';

/**
 * What retention needs to remember, in the station database: the supervisor's setting, every
 * destination a batch was named for or sent to (and whether its package was verified there),
 * and each pruning, begun and finished, so that one a crash interrupted is completed.
 */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'retention setting, replicas per batch, prunings',
    sql: `
      CREATE TABLE transfer_retention (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        policy TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE batch_replicas (
        batch_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        label TEXT,
        state TEXT NOT NULL CHECK (state IN ('expected', 'sending', 'verified', 'failed')),
        verify_mode TEXT,
        verified_at INTEGER,
        PRIMARY KEY (batch_id, destination)
      );
      CREATE TABLE batch_prunes (
        batch_id TEXT PRIMARY KEY,
        person TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER
      );`,
  },
];

export type ReplicaState = 'expected' | 'sending' | 'verified' | 'failed';

export interface Replica {
  destination: string;
  /** The destination's URL-like label as the replication event names it. */
  label: string | null;
  state: ReplicaState;
  verifyMode: 'all' | 'sample' | null;
  verifiedAt: number | null;
}

export interface PruneRow {
  person: string;
  startedAt: number;
  finishedAt: number | null;
}

const KEEP_ALWAYS: RetentionPolicy = { keep: 'always' };

export class RetentionStore {
  constructor(private readonly db: Db) {
    migrate(db, 'transfer-retention', MIGRATIONS);
  }

  policy(): RetentionPolicy {
    const row = this.db.prepare('SELECT policy FROM transfer_retention WHERE id = 1').get() as
      { policy: string } | undefined;
    return row ? (JSON.parse(row.policy) as RetentionPolicy) : KEEP_ALWAYS;
  }

  setPolicy(policy: RetentionPolicy, person: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO transfer_retention (id, policy, updated_by, updated_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET policy = excluded.policy, updated_by = excluded.updated_by,
           updated_at = excluded.updated_at`,
      )
      .run(JSON.stringify(policy), person, new Date(at).toISOString());
  }

  /** A destination the batch is to go to; a replica already known keeps its state. */
  expect(batchId: string, destination: string): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO batch_replicas (batch_id, destination, state) VALUES (?, ?, 'expected')`,
      )
      .run(batchId, destination);
  }

  /** A transfer starts (or starts again): until it is verified, the replica does not count. */
  sending(batchId: string, destination: string, label: string): void {
    this.db
      .prepare(
        `INSERT INTO batch_replicas (batch_id, destination, label, state) VALUES (?, ?, ?, 'sending')
         ON CONFLICT (batch_id, destination) DO UPDATE SET label = excluded.label, state = 'sending'`,
      )
      .run(batchId, destination, label);
  }

  verified(batchId: string, destination: string, mode: 'all' | 'sample', at: number): void {
    this.db
      .prepare(
        `UPDATE batch_replicas SET state = 'verified', verify_mode = ?, verified_at = ?
         WHERE batch_id = ? AND destination = ?`,
      )
      .run(mode, at, batchId, destination);
  }

  failed(batchId: string, destination: string): void {
    this.db
      .prepare(`UPDATE batch_replicas SET state = 'failed' WHERE batch_id = ? AND destination = ?`)
      .run(batchId, destination);
  }

  replicas(batchId: string): Replica[] {
    return this.db
      .prepare(
        `SELECT destination, label, state, verify_mode AS verifyMode, verified_at AS verifiedAt
         FROM batch_replicas WHERE batch_id = ? ORDER BY destination`,
      )
      .all(batchId) as Replica[];
  }

  /** Batches every replica of which is verified, and prunings left unfinished. */
  candidates(): string[] {
    return (
      this.db
        .prepare(
          `SELECT batch_id AS id FROM batch_replicas GROUP BY batch_id
             HAVING SUM(state <> 'verified') = 0
               AND batch_id NOT IN (SELECT batch_id FROM batch_prunes WHERE finished_at IS NOT NULL)
           UNION SELECT batch_id AS id FROM batch_prunes WHERE finished_at IS NULL
           ORDER BY id`,
        )
        .all() as { id: string }[]
    ).map((r) => r.id);
  }

  prune(batchId: string): PruneRow | null {
    const row = this.db
      .prepare(
        `SELECT person, started_at AS startedAt, finished_at AS finishedAt FROM batch_prunes WHERE batch_id = ?`,
      )
      .get(batchId) as PruneRow | undefined;
    return row ?? null;
  }

  beginPrune(batchId: string, person: string, at: number): void {
    this.db
      .prepare('INSERT OR IGNORE INTO batch_prunes (batch_id, person, started_at) VALUES (?, ?, ?)')
      .run(batchId, person, at);
  }

  finishPrune(batchId: string, at: number): void {
    this.db.prepare('UPDATE batch_prunes SET finished_at = ? WHERE batch_id = ?').run(at, batchId);
  }
}
