import type { Migration } from '../storage/index';

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
];
