import { z } from 'zod';
import { SafeId } from '../domain/safe-id';
import { command, event } from './define';
import { WireIssue } from './errors';

export const BatchId = SafeId;

/** Where a batch stands on its way through (../shared/architecture.md, "A batch's way through"). */
export const BatchStage = z.enum([
  'validating',
  'capturing',
  'qc',
  'derivatives',
  'packaging',
  'completed',
  'quarantined',
  'rejected',
  'cancelled',
]);
export type BatchStage = z.infer<typeof BatchStage>;

export const Severity = z.enum(['error', 'warning', 'info']);

export const QcFinding = z.object({
  page: z.number().int().positive().nullable(),
  code: z.string(),
  severity: Severity,
  message: z.string(),
});
export type QcFinding = z.infer<typeof QcFinding>;

export const AttemptRecord = z.object({
  stage: z.string(),
  attempt: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  outcome: z.enum(['success', 'transient', 'fatal', 'running']),
  error: z.string().nullable(),
  worker: z.string().nullable(),
});

export const PageSummary = z.object({
  page: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  hasThumbnail: z.boolean(),
});

export const BatchSummary = z.object({
  id: z.string(),
  device: z.string(),
  title: z.string(),
  accessionNumbers: z.array(z.string()),
  stage: BatchStage,
  pagesDone: z.number().int().nonnegative(),
  pagesExpected: z.number().int().positive().nullable(),
  attempts: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
  operator: z.string(),
  lastError: z.string().nullable(),
  /** In a lab, the station that holds the batch's records (and its scanner); alone, none. */
  station: z.string().optional(),
});
export type BatchSummary = z.infer<typeof BatchSummary>;

export const QuarantineDiagnostics = z.object({
  reason: z.string(),
  /** The stage that failed: release continues after it, requeue runs it again. */
  stage: BatchStage,
  validationIssues: z.array(WireIssue),
  qcFindings: z.array(QcFinding),
  checksumMismatches: z.array(z.object({ page: z.number().int(), expected: z.string(), actual: z.string() })),
  /** Pages the scanner announced against its protocol (repeated, out of order, past the job): not kept. */
  protocolErrors: z.array(z.object({ page: z.number().int(), message: z.string() })).default([]),
  attempts: z.array(AttemptRecord),
});
export type QuarantineDiagnostics = z.infer<typeof QuarantineDiagnostics>;

export const BatchDetail = BatchSummary.extend({
  manifest: z.unknown(),
  pages: z.array(PageSummary),
  /** Slots of the batch that hold no page (a page that failed, a capture that stopped): recapture fills them. */
  missingPages: z.array(z.object({ page: z.number().int().positive(), why: z.string() })),
  attemptsHistory: z.array(AttemptRecord),
  quarantine: QuarantineDiagnostics.nullable(),
  packagePath: z.string().nullable(),
  decisions: z.array(
    z.object({
      decision: z.enum(['release', 'requeue', 'reject']),
      by: z.string(),
      at: z.string(),
      reason: z.string(),
      note: z.string(),
      pages: z.array(z.number().int()).nullable(),
    }),
  ),
});
export type BatchDetail = z.infer<typeof BatchDetail>;

export const BatchFilter = z
  .object({
    stage: BatchStage.optional(),
    /** The start of a scanner's name: "sim" matches sim-1 and sim-12. */
    device: z.string().max(64).optional(),
    search: z.string().max(120).optional(),
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();

export const QuarantineDecision = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('release') }),
  z.object({ decision: z.literal('reject') }),
  z.object({
    decision: z.literal('requeue'),
    /** Omitted: the whole batch again from the stage that failed; listed: recapture these pages. */
    pages: z.array(z.number().int().positive()).min(1).max(10_000).optional(),
  }),
]);

export const DecideInput = z
  .object({
    batchId: BatchId,
    reason: z.string().trim().min(1, 'choose a reason').max(80),
    note: z.string().max(2000).default(''),
  })
  .and(QuarantineDecision);

/** One decision for a selected group of quarantined batches; each is still decided and audited on its own. */
export const DecideManyInput = z
  .object({
    batchIds: z.array(BatchId).min(1, 'choose at least one batch').max(500),
    decision: z.enum(['release', 'requeue', 'reject']),
    reason: z.string().trim().min(1, 'choose a reason').max(80),
    note: z.string().max(2000).default(''),
  })
  .strict();

export const batchesCommands = {
  'batches.create': command({
    input: z.object({ manifest: z.unknown() }).strict(),
    output: z.object({ batch: BatchSummary }),
    access: 'operator',
    summary: 'Validates a manifest (from the form or an imported JSON file) and starts its batch.',
  }),
  'batches.validate': command({
    input: z.object({ manifest: z.unknown() }).strict(),
    output: z.object({ ok: z.boolean(), issues: z.array(WireIssue), manifestSha256: z.string().nullable() }),
    access: 'operator',
    summary: 'Checks a manifest without starting anything; lists every problem with its path.',
  }),
  'batches.list': command({
    input: BatchFilter,
    output: z.object({
      total: z.number().int(),
      items: z.array(BatchSummary),
      counts: z.record(z.string(), z.number().int()),
    }),
    access: 'operator',
    summary:
      'Batches for the queue table: filter by stage and device (name prefix), search by id or accession.',
  }),
  'batches.get': command({
    input: z.object({ batchId: BatchId }).strict(),
    output: BatchDetail,
    access: 'operator',
    summary: 'One batch with pages, attempts, diagnostics and decisions.',
  }),
  'batches.thumbnail': command({
    input: z
      .object({ batchId: BatchId, page: z.number().int().positive(), size: z.enum(['thumb', 'access']) })
      .strict(),
    output: z.object({ dataUrl: z.string().nullable() }),
    access: 'operator',
    summary: 'A page thumbnail or access copy as a data URL (the renderer reads no files itself).',
  }),
  'batches.cancel': command({
    input: z.object({ batchId: BatchId, reason: z.string().trim().min(1).max(200) }).strict(),
    output: BatchSummary,
    access: 'operator',
    summary:
      'Cancels a batch that has not finished (a quarantined one: supervisors only); captured pages are kept; audited.',
  }),
  'quarantine.list': command({
    input: z.object({}).strict(),
    output: z.array(BatchSummary.extend({ reason: z.string(), quarantinedAt: z.string() })),
    access: 'operator',
    summary: 'Batches waiting for a supervisor, with reason and age.',
  }),
  'quarantine.decide': command({
    input: DecideInput,
    output: BatchSummary,
    access: 'supervisor',
    summary: 'Release, requeue (batch or pages) or reject a quarantined batch, with a reason; audited.',
  }),
  'quarantine.decideMany': command({
    input: DecideManyInput,
    output: z.object({
      decided: z.array(BatchSummary),
      refused: z.array(z.object({ batchId: z.string(), message: z.string() })),
    }),
    access: 'supervisor',
    summary:
      'Release, requeue or reject a group of quarantined batches with one reason; one audited decision per batch.',
  }),
};

export const batchesEvents = {
  'batch.updated': event({ payload: BatchSummary, coalesceKey: (b) => b.id }),
  'quarantine.changed': event({
    payload: z.object({ batchId: z.string(), quarantined: z.boolean(), reason: z.string().nullable() }),
  }),
};
