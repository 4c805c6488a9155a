import { z } from 'zod';
import { SafeId } from './safe-id';

/**
 * The batch manifest: what an operator's form or an imported JSON file says about a batch.
 * Strict objects, so an unknown field is reported rather than silently dropped; every
 * violation is reported with its path. The checksum is SHA-256 over the canonical JSON of the
 * manifest without `checksums` (keys sorted, no whitespace): computed in main (node:crypto).
 */
const Id = SafeId;

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use a date as YYYY-MM-DD');

export const MetadataSchema = z.enum(['METS', 'PREMIS', 'DublinCore', 'MODS']);
export const AccessTier = z.enum(['public', 'research', 'restricted']);
export type AccessTier = z.infer<typeof AccessTier>;

export const ScannerProfile = z
  .object({
    dpi: z.number().int().min(50).max(2400),
    mode: z.enum(['color', 'gray', 'bw']),
    bit_depth: z.union([z.literal(1), z.literal(8), z.literal(16)]),
    colour_profile: z.string().min(1).max(120),
  })
  .strict()
  .refine((p) => (p.mode === 'bw') === (p.bit_depth === 1), {
    message: 'bitonal scans are 1-bit, and only bitonal scans are',
    path: ['bit_depth'],
  });

export const DescriptiveMetadata = z
  .object({
    title: z.string().trim().min(1).max(500),
    accession_numbers: z.array(z.string().trim().min(1).max(64)).max(100),
    creator: z.string().trim().max(300).optional(),
    date: z.string().trim().max(64).optional(),
    rights_statement: z.string().trim().min(1).max(500),
    access_tier: AccessTier,
    embargo_date: IsoDate.nullable().optional(),
  })
  .strict();

export const BatchManifest = z
  .object({
    batch_id: Id,
    device: Id,
    scanner_profile: ScannerProfile,
    /** A page count, or "until_empty" to scan until the feeder is empty. */
    expected_pages: z.union([z.number().int().min(1).max(10_000), z.literal('until_empty')]),
    file_count: z.number().int().min(0).max(10_000).optional(),
    checksums: z
      .object({ manifest_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256') })
      .strict(),
    metadata_schema: MetadataSchema,
    descriptive: DescriptiveMetadata,
    operator: z.string().trim().min(1).max(64),
  })
  .strict()
  .refine(
    (m) =>
      m.file_count === undefined || m.expected_pages === 'until_empty' || m.file_count === m.expected_pages,
    {
      message: 'file_count must equal expected_pages',
      path: ['file_count'],
    },
  );
export type BatchManifest = z.infer<typeof BatchManifest>;

/** The same manifest before main has filled in its checksum (the console's form). */
export const ManifestDraft = z.object({}).passthrough();

/** JSON with object keys sorted at every level and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** What the checksum covers: the manifest without `checksums`. */
export function checksumBody(manifest: Record<string, unknown>): string {
  const rest = { ...manifest };
  delete rest.checksums;
  return canonicalJson(rest);
}
