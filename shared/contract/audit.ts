import { z } from 'zod';
import { command, event } from './define';

/**
 * PREMIS event types used by Quire, from the Library of Congress preservation vocabulary
 * (id.loc.gov/vocabulary/preservation/eventType). A supervisor's release or requeue is an
 * "unquarantine"; a rejection is an "appraisal" with outcome "rejected" (nothing is deleted).
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

export const auditCommands = {
  'audit.list': command({
    input: z
      .object({
        type: PremisEventType.optional(),
        object: z.string().max(200).optional(),
        person: z.string().max(64).optional(),
        text: z.string().max(120).optional(),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.object({ total: z.number().int(), items: z.array(AuditEvent) }),
    access: 'operator',
    summary: 'The audit log, newest first, filtered.',
  }),
  'audit.verify': command({
    input: z.object({}).strict(),
    output: ChainVerification,
    access: 'operator',
    summary: 'Recomputes the hash chain: any edited or deleted row is found.',
  }),
  'audit.exportPremis': command({
    input: z.object({ object: z.string().max(200).optional() }).strict(),
    output: z.object({ xml: z.string() }),
    access: 'operator',
    summary: 'The events (of one object, or all) as PREMIS 3 XML.',
  }),
};

export const auditEvents = {
  'audit.appended': event({ payload: AuditEvent }),
};
