import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { AuditEvent, PremisEventType } from '../../shared/contract/index';
import { canonicalJson } from '../../shared/domain/manifest';
import type { CoreContext } from '../core/core-context';
import { migrate } from '../storage/index';
import { QUIRE_VERSION } from '../version';
import { premisEventsXml } from './premis-xml';

const GENESIS = '0'.repeat(64);

const MIGRATIONS = [
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
];

export interface NewAuditEvent {
  type: PremisEventType;
  outcome: string;
  detail: string;
  /** The linked object: a batch id, or a file within a batch (`B1/masters/page-0001.tif`). */
  object: string;
  /** The signed-in person, or 'system' for the station's own work. */
  person: string;
}

interface Row {
  seq: number;
  id: string;
  type: PremisEventType;
  at: string;
  outcome: string;
  detail: string;
  object: string;
  agent_software: string;
  agent_station: string;
  agent_person: string;
  prev_hash: string;
  hash: string;
}

const toEvent = (r: Row): AuditEvent => ({
  seq: r.seq,
  id: r.id,
  type: r.type,
  at: r.at,
  outcome: r.outcome,
  detail: r.detail,
  object: r.object,
  agents: { software: r.agent_software, station: r.agent_station, person: r.agent_person },
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** The row's hash covers every field and the previous hash, in canonical JSON. */
function rowHash(e: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(e)).digest('hex');
}

export interface AuditFilter {
  type?: PremisEventType;
  object?: string;
  person?: string;
  text?: string;
  offset?: number;
  limit?: number;
}

/** The hash-chained PREMIS audit log: the preservation record, separate from the debug log. */
export interface AuditModule {
  record(event: NewAuditEvent): AuditEvent;
  list(filter: AuditFilter): { total: number; items: AuditEvent[] };
  forObject(prefix: string): AuditEvent[];
  verify(): { ok: boolean; checked: number; firstBrokenSeq: number | null; reason: string | null };
  premisXml(objectPrefix?: string): string;
  close(): Promise<void>;
}

export async function createAuditModule(
  core: CoreContext,
  options: { stationName?: string } = {},
): Promise<AuditModule> {
  migrate(core.db, 'audit', MIGRATIONS);
  const software = `Quire ${QUIRE_VERSION}`;
  const station = options.stationName ?? `station ${os.hostname()}`;
  const insert = core.db.prepare(
    `INSERT INTO audit_events (id, type, at, outcome, detail, object, agent_software, agent_station, agent_person, prev_hash, hash)
     VALUES (@id, @type, @at, @outcome, @detail, @object, @software, @station, @person, @prevHash, @hash)`,
  );
  const head = () =>
    core.db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as
      { seq: number; hash: string } | undefined;

  const append = core.db.transaction((event: NewAuditEvent): AuditEvent => {
    const prevHash = head()?.hash ?? GENESIS;
    const seq =
      ((core.db.prepare('SELECT MAX(seq) AS s FROM audit_events').get() as { s: number | null }).s ?? 0) + 1;
    const body = {
      seq,
      id: randomUUID(),
      type: event.type,
      at: new Date(core.clock.now()).toISOString(),
      outcome: event.outcome,
      detail: event.detail,
      object: event.object,
      agents: { software, station, person: event.person },
      prevHash,
    };
    const hash = rowHash(body);
    insert.run({ ...body, software, station, person: event.person, hash });
    core.db
      .prepare(
        'INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
      )
      .run(seq, hash);
    return { ...body, hash };
  });

  const forObject = (prefix: string): AuditEvent[] =>
    (
      core.db
        .prepare('SELECT * FROM audit_events WHERE object = ? OR object LIKE ? ORDER BY seq')
        .all(prefix, `${prefix}/%`) as Row[]
    ).map(toEvent);

  return {
    record(event) {
      const stored = append.immediate(event);
      core.events.emit('audit.appended', stored);
      return stored;
    },
    list(filter) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      const add = (clause: string, value: string) => {
        where.push(clause);
        params.push(value);
      };
      if (filter.type) add('type = ?', filter.type);
      if (filter.object) add('object LIKE ?', `${filter.object}%`);
      if (filter.person) add('agent_person = ?', filter.person);
      if (filter.text) {
        where.push('(detail LIKE ? OR outcome LIKE ?)');
        params.push(`%${filter.text}%`, `%${filter.text}%`);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (
        core.db.prepare(`SELECT COUNT(*) AS n FROM audit_events ${clause}`).get(...params) as { n: number }
      ).n;
      const rows = core.db
        .prepare(`SELECT * FROM audit_events ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`)
        .all(...params, filter.limit ?? 100, filter.offset ?? 0) as Row[];
      return { total, items: rows.map(toEvent) };
    },
    forObject,
    verify() {
      let prev = GENESIS;
      let expectedSeq = 1;
      let checked = 0;
      for (const row of core.db
        .prepare('SELECT * FROM audit_events ORDER BY seq')
        .iterate() as IterableIterator<Row>) {
        const event = toEvent(row);
        const { hash, ...body } = event;
        if (row.seq !== expectedSeq)
          return {
            ok: false,
            checked,
            firstBrokenSeq: expectedSeq,
            reason: `event ${expectedSeq} is missing (deleted)`,
          };
        if (event.prevHash !== prev)
          return {
            ok: false,
            checked,
            firstBrokenSeq: row.seq,
            reason: `event ${row.seq} does not follow event ${row.seq - 1}`,
          };
        if (rowHash(body) !== hash)
          return {
            ok: false,
            checked,
            firstBrokenSeq: row.seq,
            reason: `event ${row.seq} was changed after it was written`,
          };
        prev = hash;
        expectedSeq += 1;
        checked += 1;
      }
      const recorded = head();
      if (recorded && (recorded.seq !== expectedSeq - 1 || recorded.hash !== prev)) {
        return {
          ok: false,
          checked,
          firstBrokenSeq: expectedSeq,
          reason: `the log ends at event ${expectedSeq - 1}, but event ${recorded.seq} was written (truncated)`,
        };
      }
      return { ok: true, checked, firstBrokenSeq: null, reason: null };
    },
    premisXml(objectPrefix) {
      const events = objectPrefix
        ? forObject(objectPrefix)
        : (core.db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Row[]).map(toEvent);
      return premisEventsXml(events);
    },
    close: async () => {},
  };
}
