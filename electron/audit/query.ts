import type { AuditEvent, AuditFilter, PremisEventType } from '../../shared/contract/index';

/** The audit_events row as stored. */
export interface AuditRow {
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

export const rowToEvent = (r: AuditRow): AuditEvent => ({
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

/** LIKE with the user's text taken literally: batch ids are full of `_`, a LIKE wildcard. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Stored times are `Date#toISOString()` (UTC, milliseconds), so they compare as strings. */
function lowerBound(from: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(from) ? from : new Date(from).toISOString();
}

/** An inclusive upper bound, returned as an exclusive one: a bare date covers its whole day. */
function upperBoundExclusive(to: string): { op: '<' | '<='; value: string } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(to)) return { op: '<=', value: new Date(to).toISOString() };
  const next = new Date(`${to}T00:00:00.000Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return { op: '<', value: next.toISOString() };
}

/** WHERE clause and parameters for a filter (an empty filter selects every row). */
export function filterSql(filter: AuditFilter): { where: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (filter.type) {
    clauses.push('type = ?');
    params.push(filter.type);
  }
  if (filter.object) {
    // The object itself, or anything inside it: `B1` matches `B1/masters/page-0001.tif`, not `B10`.
    clauses.push("(object = ? OR object LIKE ? ESCAPE '\\')");
    params.push(filter.object, `${likeLiteral(filter.object)}/%`);
  }
  if (filter.agent) {
    clauses.push('(agent_software = ? OR agent_station = ? OR agent_person = ?)');
    params.push(filter.agent, filter.agent, filter.agent);
  }
  if (filter.person) {
    clauses.push('agent_person = ?');
    params.push(filter.person);
  }
  if (filter.outcome) {
    clauses.push('outcome = ?');
    params.push(filter.outcome);
  }
  if (filter.from) {
    clauses.push('at >= ?');
    params.push(lowerBound(filter.from));
  }
  if (filter.to) {
    const { op, value } = upperBoundExclusive(filter.to);
    clauses.push(`at ${op} ?`);
    params.push(value);
  }
  if (filter.text) {
    clauses.push("(detail LIKE ? ESCAPE '\\' OR outcome LIKE ? ESCAPE '\\')");
    const like = `%${likeLiteral(filter.text)}%`;
    params.push(like, like);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
