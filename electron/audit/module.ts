import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type {
  AuditEvent,
  AuditExportResult,
  AuditFilter,
  ChainVerification,
  PremisEventType,
} from '../../shared/contract/index';
import type { CoreContext } from '../core/core-context';
import { migrate } from '../storage/index';
import { QUIRE_VERSION } from '../version';
import { eventHash, GENESIS_HASH, verifyChain } from './chain';
import { writePremisExport } from './export';
import { AUDIT_MIGRATIONS } from './migrations';
import { premisEventsXml } from './premis-xml';
import { filterSql, rowToEvent, type AuditRow } from './query';

export type { AuditFilter } from '../../shared/contract/index';

export interface NewAuditEvent {
  type: PremisEventType;
  outcome: string;
  detail: string;
  /** The linked object: a batch id, or a file within a batch (`B1/masters/page-0001.tif`). */
  object: string;
  /** The signed-in person's username, or 'system' for the station's own work. */
  person: string;
}

export interface AuditPage {
  total: number;
  items: AuditEvent[];
}

/** The hash-chained PREMIS audit log: the preservation record, separate from the debug log. */
export interface AuditModule {
  /** Appends one event in its own IMMEDIATE transaction and announces it (`audit.appended`). */
  record(event: NewAuditEvent): AuditEvent;
  /** Newest first. */
  list(filter: AuditFilter & { offset?: number; limit?: number }): AuditPage;
  /** Every event of a batch (and its files) or of one file, oldest first. */
  forObject(object: string): AuditEvent[];
  /** Events after `afterSeq` in chain order, at most `limit` (a lab's replication reads its log so). */
  since(afterSeq: number, limit: number): AuditEvent[];
  /** Recomputes the whole chain. */
  verify(): ChainVerification;
  /** Streams the filtered events as PREMIS 3 XML to a new file (never replaces one). */
  exportPremisXml(filter: AuditFilter, outPath: string): Promise<AuditExportResult>;
  /** Like exportPremisXml, to a fresh file under `<data>/exports/` whose name the station picks. */
  exportToDataFolder(filter: AuditFilter): Promise<AuditExportResult>;
  /** A short PREMIS document in memory (one batch's events; a console download). */
  premisXml(object?: string): string;
  close(): Promise<void>;
}

export interface AuditOptions {
  /**
   * The station agent: its name and organization. A function is read at each event, so a
   * renamed station is attributed correctly from then on. Default: `station <hostname>`.
   */
  station?: string | (() => string);
  /** Events per page when exporting. */
  exportPageSize?: number;
}

export async function createAuditModule(core: CoreContext, options: AuditOptions = {}): Promise<AuditModule> {
  const { db } = core;
  migrate(db, 'audit', AUDIT_MIGRATIONS);
  const software = `Quire ${QUIRE_VERSION}`;
  const stationAgent = (): string => {
    const s = typeof options.station === 'function' ? options.station() : options.station;
    return s?.trim() || `station ${os.hostname()}`;
  };
  const pageSize = options.exportPageSize ?? 500;

  const insert = db.prepare(
    `INSERT INTO audit_events (seq, id, type, at, outcome, detail, object, agent_software, agent_station,
       agent_person, prev_hash, hash)
     VALUES (@seq, @id, @type, @at, @outcome, @detail, @object, @software, @station, @person, @prevHash, @hash)`,
  );
  const selectHead = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1');
  const lastRow = db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
  const setHead = db.prepare(
    `INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
  );
  const head = () => selectHead.get() as { seq: number; hash: string } | undefined;

  const append = db.transaction((event: NewAuditEvent): AuditEvent => {
    // The chain continues from the last row actually stored; the head is only a witness of it.
    const last = lastRow.get() as { seq: number; hash: string } | undefined;
    const person = event.person.trim() || 'system';
    const body: Omit<AuditEvent, 'hash'> = {
      seq: (last?.seq ?? 0) + 1,
      id: randomUUID(),
      type: event.type,
      at: new Date(core.clock.now()).toISOString(),
      outcome: event.outcome,
      detail: event.detail,
      object: event.object,
      agents: { software, station: stationAgent(), person },
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const hash = eventHash(body);
    insert.run({ ...body, ...body.agents, hash });
    setHead.run(body.seq, hash);
    return { ...body, hash };
  });

  const selectWhere = (filter: AuditFilter, tail: string, ...extra: (string | number)[]) => {
    const { where, params } = filterSql(filter);
    return db.prepare(`SELECT * FROM audit_events ${where} ${tail}`).all(...params, ...extra) as AuditRow[];
  };

  const exportPremisXml = (filter: AuditFilter, outPath: string) => {
    // A snapshot: events appended while the export runs belong to the next export.
    const upTo = (lastRow.get() as { seq: number } | undefined)?.seq ?? 0;
    const { where, params } = filterSql(filter);
    const and = where ? `${where} AND` : 'WHERE';
    return writePremisExport(
      {
        objects: () =>
          (
            db
              .prepare(`SELECT DISTINCT object FROM audit_events ${and} seq <= ? ORDER BY object`)
              .all(...params, upTo) as { object: string }[]
          ).map((r) => r.object),
        page: (afterSeq) =>
          (
            db
              .prepare(`SELECT * FROM audit_events ${and} seq > ? AND seq <= ? ORDER BY seq LIMIT ?`)
              .all(...params, afterSeq, upTo, pageSize) as AuditRow[]
          ).map(rowToEvent),
      },
      path.resolve(outPath),
    );
  };

  const forObject = (object: string) => selectWhere({ object }, 'ORDER BY seq').map(rowToEvent);

  return {
    record(event) {
      const stored = append.immediate(event);
      core.events.emit('audit.appended', stored);
      return stored;
    },
    list(filter) {
      const { offset = 0, limit = 100, ...rest } = filter;
      const { where, params } = filterSql(rest);
      const total = (
        db.prepare(`SELECT COUNT(*) AS n FROM audit_events ${where}`).get(...params) as { n: number }
      ).n;
      const items = selectWhere(rest, 'ORDER BY seq DESC LIMIT ? OFFSET ?', limit, offset).map(rowToEvent);
      return { total, items };
    },
    forObject,
    since: (afterSeq, limit) =>
      (
        db
          .prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?')
          .all(afterSeq, limit) as AuditRow[]
      ).map(rowToEvent),
    verify() {
      // Read in one transaction so a concurrent append cannot slip between the rows and the head.
      return db.transaction(() => {
        const rows = db
          .prepare('SELECT * FROM audit_events ORDER BY seq')
          .iterate() as IterableIterator<AuditRow>;
        return verifyChain(
          (function* () {
            for (const row of rows) yield rowToEvent(row);
          })(),
          head(),
        );
      })();
    },
    exportPremisXml,
    exportToDataFolder(filter) {
      const stamp = new Date(core.clock.now()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, 'Z');
      const name = `premis-${stamp}-${randomBytes(3).toString('hex')}.xml`;
      return exportPremisXml(filter, path.join(core.layout.root, 'exports', name));
    },
    premisXml(object) {
      return premisEventsXml(object ? forObject(object) : selectWhere({}, 'ORDER BY seq').map(rowToEvent));
    },
    close: async () => {},
  };
}
