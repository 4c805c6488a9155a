import type { Migration } from '../storage/index';

/** Released migrations are never edited: existing logs were created (and hashed) under them. */
export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit log',
    sql: `
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL,
        object TEXT NOT NULL,
        agent_software TEXT NOT NULL,
        agent_station TEXT NOT NULL,
        agent_person TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_events_object ON audit_events (object, seq);
      -- The log is append-only: the database itself refuses edits and deletions. The hash chain
      -- catches what gets past this (a dropped trigger, an edited file).
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'audit filters and a forward-only head',
    sql: `
      CREATE INDEX audit_events_type ON audit_events (type, seq);
      CREATE INDEX audit_events_at ON audit_events (at);
      CREATE INDEX audit_events_person ON audit_events (agent_person, seq);
      -- The head records the last event written, so that cutting the tail off the log is found.
      -- It only moves forward and is never removed.
      CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head WHEN NEW.seq <= OLD.seq
        BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;
      CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
        BEGIN SELECT RAISE(ABORT, 'the audit head is never removed'); END;
    `,
  },
];
