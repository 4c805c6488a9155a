import type { Migration } from '../../storage/index';

export const QUEUE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'jobs',
    sql: `
      CREATE TABLE queue_jobs (
        id TEXT PRIMARY KEY,
        queue TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state IN ('waiting','delayed','active','completed','retrying','quarantined','cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        available_at INTEGER NOT NULL,
        lease_token TEXT,
        lease_expires_at INTEGER,
        worker TEXT,
        idempotency_key TEXT UNIQUE,
        workflow_id TEXT,
        batch_id TEXT,
        result TEXT,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER,
        acked INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX queue_jobs_ready ON queue_jobs (queue, state, available_at, priority);
      CREATE INDEX queue_jobs_state ON queue_jobs (state, updated_at);
      CREATE INDEX queue_jobs_batch ON queue_jobs (batch_id);

      CREATE TABLE queue_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL REFERENCES queue_jobs (id),
        attempt INTEGER NOT NULL,
        worker TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        outcome TEXT NOT NULL,
        error_class TEXT,
        error TEXT,
        stack TEXT
      );
      CREATE INDEX queue_attempts_job ON queue_attempts (job_id, id);

      CREATE TABLE queue_workflows (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('chain','group','chord')),
        state TEXT NOT NULL CHECK (state IN ('running','completed','failed')),
        steps TEXT NOT NULL,
        position INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        callback TEXT,
        failure TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE queue_paused (queue TEXT PRIMARY KEY);
    `,
  },
  {
    version: 2,
    name: 'cheaper transitions',
    // Measured on the queue benchmark, three things made every transition slow, so both
    // tables are rebuilt (the copy keeps every job and attempt):
    // - the lease query orders ready jobs by priority, then age, and the first index matched
    //   the filter but not the order, so every lease sorted the whole backlog; a partial index
    //   now holds only ready jobs, in exactly the lease order;
    // - SQLite evaluates a CHECK or partial-index condition on every write, and an IN list
    //   builds a temporary table each time (about 2 µs a write): both are spelled with OR;
    // - AUTOINCREMENT updated sqlite_sequence on every attempt; a plain rowid key is enough,
    //   since attempts are ordered per job;
    // - an attempt was written twice (a 'running' row at lease, updated at the end); it is now
    //   written once when it ends, and the running attempt is the active job itself.
    sql: `
      CREATE TABLE queue_jobs_v2 (
        id TEXT PRIMARY KEY,
        queue TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state = 'waiting' OR state = 'delayed' OR state = 'active' OR state = 'completed'
          OR state = 'retrying' OR state = 'quarantined' OR state = 'cancelled'),
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        available_at INTEGER NOT NULL,
        lease_token TEXT,
        lease_expires_at INTEGER,
        worker TEXT,
        idempotency_key TEXT UNIQUE,
        workflow_id TEXT,
        batch_id TEXT,
        result TEXT,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER,
        acked INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO queue_jobs_v2 SELECT id, queue, type, payload, priority, state, attempts, max_attempts, available_at,
        lease_token, lease_expires_at, worker, idempotency_key, workflow_id, batch_id, result, last_error, created_at,
        updated_at, finished_at, acked FROM queue_jobs;

      CREATE TABLE queue_attempts_v2 (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES queue_jobs_v2 (id),
        attempt INTEGER NOT NULL,
        worker TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        outcome TEXT NOT NULL,
        error_class TEXT,
        error TEXT,
        stack TEXT
      );
      INSERT INTO queue_attempts_v2 SELECT id, job_id, attempt, worker, started_at, finished_at, outcome, error_class,
        error, stack FROM queue_attempts WHERE outcome <> 'running';

      DROP TABLE queue_attempts;
      DROP TABLE queue_jobs;
      ALTER TABLE queue_jobs_v2 RENAME TO queue_jobs;
      ALTER TABLE queue_attempts_v2 RENAME TO queue_attempts;

      CREATE INDEX queue_jobs_next ON queue_jobs (queue, priority DESC, available_at, created_at)
        WHERE (state = 'waiting' OR state = 'delayed' OR state = 'retrying');
      CREATE INDEX queue_jobs_state ON queue_jobs (state, updated_at);
      CREATE INDEX queue_jobs_batch ON queue_jobs (batch_id);
      CREATE INDEX queue_attempts_job ON queue_attempts (job_id, id);
    `,
  },
];
