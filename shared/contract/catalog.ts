import { z } from 'zod';
import { command, event } from './define';

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use a date as YYYY-MM-DD');

/** A collection-management record, as Quire validates it (the CMS's tier is optional). */
export const AssetRecord = z.object({
  accession_number: z.string().trim().min(1).max(64),
  title: z.string().trim().min(1).max(1000),
  media_url: z.string().url(),
  rights_statement: z.string().trim().min(1).max(500),
  embargo_date: IsoDate.nullable().optional(),
  access_tier: z.enum(['public', 'research', 'restricted']).nullable().optional(),
  iiif_manifest: z.string().url().nullable().optional(),
  lido_namespace: z.string().default('http://www.lido-schema.org/'),
});
export type AssetRecord = z.infer<typeof AssetRecord>;

export const StoredAsset = AssetRecord.extend({
  access_tier: z.enum(['public', 'research', 'restricted']),
  tier_source: z.enum(['cms', 'derived']),
  synced_at: z.string(),
});
export type StoredAsset = z.infer<typeof StoredAsset>;

export const SyncRun = z.object({
  id: z.string(),
  apiBase: z.string(),
  state: z.enum(['running', 'completed', 'failed']),
  total: z.number().int().nullable(),
  fetched: z.number().int(),
  upserted: z.number().int(),
  unchanged: z.number().int(),
  deadLetters: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type SyncRun = z.infer<typeof SyncRun>;

export const DeadLetter = z.object({
  runId: z.string(),
  assetId: z.string(),
  reason: z.enum(['http', 'validation', 'network', 'timeout']),
  status: z.number().int().nullable(),
  detail: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
  attempts: z.number().int(),
  at: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

const ApiBase = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'use an http(s) URL');

export const catalogCommands = {
  'catalog.sync': command({
    input: z
      .object({
        apiBase: ApiBase,
        ids: z.array(z.string().min(1).max(64)).max(100_000).optional(),
        fromBatches: z.boolean().optional(),
      })
      .strict()
      .refine((i) => Boolean(i.ids?.length) !== Boolean(i.fromBatches), {
        message: 'give ids or fromBatches, not both',
        path: ['ids'],
      }),
    output: z.object({ runId: z.string() }),
    access: 'supervisor',
    summary: 'Starts a sync from the collection-management API (Settings → Catalog).',
  }),
  'catalog.runs': command({
    input: z.object({}).strict(),
    output: z.array(SyncRun),
    access: 'operator',
    summary: 'Recent syncs.',
  }),
  'catalog.deadLetters': command({
    input: z
      .object({
        runId: z.string().optional(),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.object({ total: z.number().int(), items: z.array(DeadLetter) }),
    access: 'operator',
    summary: 'Ids that failed, with the reason.',
  }),
  'catalog.retryDeadLetters': command({
    input: z.object({ runId: z.string() }).strict(),
    output: z.object({ runId: z.string() }),
    access: 'supervisor',
    summary: "Syncs a run's dead letters again.",
  }),
  'catalog.get': command({
    input: z.object({ accession: z.string().min(1).max(64) }).strict(),
    output: StoredAsset.nullable(),
    access: 'operator',
    summary: 'One catalog record by accession number.',
  }),
};

export const catalogEvents = {
  'catalog.progress': event({ payload: SyncRun, coalesceKey: (r) => r.id }),
};
