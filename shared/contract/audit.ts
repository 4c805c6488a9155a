import { z } from 'zod';
import { command, event } from './define';

/**
 * PREMIS event types used by Quire, from the Library of Congress preservation vocabulary
 * (id.loc.gov/vocabulary/preservation/eventType). A supervisor's release or requeue is an
 * "unquarantine"; a rejection is an "appraisal" with outcome "rejected" (nothing is deleted); a
 * master moved aside for a recapture is a "filename change" with outcome "superseded"; a package
 * verified at a repository destination is a "replication"; the station's own copy pruned after
 * verified replication (a supervisor's retention setting) is a "deletion".
 */
export const PremisEventType = z.enum([
  'capture',
  'message digest calculation',
  'fixity check',
  'validation',
  'quarantine',
  'unquarantine',
  'appraisal',
  'creation',
  'information package creation',
  'ingestion',
  'metadata extraction',
  'filename change',
  'replication',
  'deletion',
]);
export type PremisEventType = z.infer<typeof PremisEventType>;

export const AuditEvent = z.object({
  seq: z.number().int(),
  id: z.string(),
  type: PremisEventType,
  at: z.string(),
  outcome: z.string(),
  detail: z.string(),
  object: z.string(),
  agents: z.object({ software: z.string(), station: z.string(), person: z.string() }),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const ChainVerification = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBrokenSeq: z.number().int().nullable(),
  reason: z.string().nullable(),
});
export type ChainVerification = z.infer<typeof ChainVerification>;

/** An ISO 8601 date (`2025-03-01`) or date-time with a zone (`2025-03-01T09:00:00Z`). */
const IsoDateOrDateTime = z
  .string()
  .max(40)
  .refine(
    (s) =>
      /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(s) &&
      !Number.isNaN(Date.parse(s)),
    'use an ISO 8601 date or date-time with a time zone',
  );

/** Which events: every given field must match (an empty filter matches the whole log). */
export const AuditFilter = z
  .object({
    type: PremisEventType.optional(),
    /** A batch id (its files too) or one file (`B1/masters/page-0001.tif`). */
    object: z.string().max(200).optional(),
    /** Any of the three linked agents: software, station or person. */
    agent: z.string().max(200).optional(),
    person: z.string().max(64).optional(),
    outcome: z.string().max(64).optional(),
    /** Inclusive lower bound. */
    from: IsoDateOrDateTime.optional(),
    /** Inclusive upper bound; a date alone includes that whole day (UTC). */
    to: IsoDateOrDateTime.optional(),
    /** Substring of the detail or outcome. */
    text: z.string().max(120).optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof AuditFilter>;

export const AuditExportResult = z.object({
  /** Absolute path of the written file, always under the station's data folder. */
  path: z.string(),
  events: z.number().int(),
  bytes: z.number().int(),
  sha256: z.string(),
});
export type AuditExportResult = z.infer<typeof AuditExportResult>;

export const auditCommands = {
  'audit.list': command({
    input: AuditFilter.extend({
      offset: z.number().int().nonnegative().default(0),
      limit: z.number().int().min(1).max(500).default(100),
    }).strict(),
    output: z.object({ total: z.number().int(), items: z.array(AuditEvent) }),
    access: 'operator',
    summary: 'The audit log, newest first, filtered and paged.',
  }),
  'audit.verify': command({
    input: z.object({}).strict(),
    output: ChainVerification,
    access: 'operator',
    summary: 'Recomputes the hash chain: any edited or deleted row is found.',
  }),
  /*
   * Operator access: the file goes to <data>/exports/ under a name the station chooses, never
   * over an existing file, so a renderer (untrusted) cannot pick where bytes land; and the
   * events are already readable by operators through audit.list.
   */
  'audit.export': command({
    input: z.object({ filter: AuditFilter.default({}) }).strict(),
    output: AuditExportResult,
    access: 'operator',
    summary: "Writes the events (filtered) as PREMIS 3 XML to a new file in the data folder's exports/.",
  }),
  'audit.exportPremis': command({
    input: z.object({ object: z.string().max(200).optional() }).strict(),
    output: z.object({ xml: z.string() }),
    access: 'operator',
    summary: 'The events (of one object, or all) as PREMIS 3 XML text, for a download in the console.',
  }),
};

export const auditEvents = {
  'audit.appended': event({ payload: AuditEvent }),
};
