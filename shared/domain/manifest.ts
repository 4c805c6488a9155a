import { z } from 'zod';
import { SafeId } from './safe-id';

/**
 * The batch manifest: what an operator's form or an imported JSON file says about a batch.
 * Strict objects, so an unknown field is reported rather than silently dropped; every
 * violation is reported with its path. The checksum is SHA-256 over the canonical JSON of the
 * manifest without `checksums` (keys sorted, no whitespace): computed in main (node:crypto).
 */
const Id = SafeId;

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD, for example 2026-03-31');

const PAGES_MESSAGE =
  'Enter a number of pages from 1 to 10,000, or "until_empty" to scan until the feeder is empty';

/** The package's descriptive record: MODS (METS, PREMIS, MODS), Dublin Core, or LIDO for museums. */
/** The most pages one manifest may announce. */
export const MAX_MANIFEST_PAGES = 10_000;

/** A page count the contract accepts (a positive integer, at most a manifest's limit), or null. */
export function positivePageCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_MANIFEST_PAGES
    ? value
    : null;
}

export const MetadataSchema = z.enum(['METS', 'PREMIS', 'DublinCore', 'MODS', 'LIDO']);
export const AccessTier = z.enum(['public', 'research', 'restricted']);
export type AccessTier = z.infer<typeof AccessTier>;

export const ScannerProfile = z
  .object({
    dpi: z
      .number({ error: 'Enter the resolution as a number of dots per inch' })
      .int('Enter a whole number of dots per inch')
      .min(50, 'Use at least 50 dpi')
      .max(2400, 'Use at most 2,400 dpi'),
    mode: z.enum(['color', 'gray', 'bw']),
    bit_depth: z.union([z.literal(1), z.literal(8), z.literal(16)], {
      error: 'Choose a bit depth of 1, 8 or 16',
    }),
    colour_profile: z.string().min(1).max(120),
    /** Where the sheets are: the feeder (default where the scanner has one), the flatbed, or duplex. */
    source: z.enum(['feeder', 'flatbed', 'duplex']).optional(),
    /** Lossy masters (JPEG, PDF) are kept only when this says so; QC then records a warning. */
    allow_lossy: z.boolean().optional(),
    /** Passed to the scanner's driver for this batch (e.g. a SANE backend's double-feed option). */
    driver_options: z
      .record(z.string().min(1).max(64), z.string().max(256))
      .refine((o) => Object.keys(o).length <= 32, { message: 'at most 32 driver options' })
      .optional(),
  })
  .strict()
  .refine((p) => (p.mode === 'bw') === (p.bit_depth === 1), {
    message: 'Bitonal scans are 1-bit; choose bitonal or a bit depth of 8 or 16',
    path: ['bit_depth'],
  });

export const DescriptiveMetadata = z
  .object({
    title: z.string().trim().min(1, 'Enter a title').max(500),
    accession_numbers: z.array(z.string().trim().min(1).max(64)).max(100),
    creator: z.string().trim().max(300).optional(),
    date: z.string().trim().max(64).optional(),
    rights_statement: z
      .string()
      .trim()
      .min(1, 'Enter a rights statement (a rightsstatements.org URI)')
      .max(500),
    access_tier: AccessTier,
    embargo_date: IsoDate.nullable().optional(),
    /** LIDO: the object / work type as catalogued (e.g. "letter", "painting"); default "Object". */
    object_work_type: z.string().trim().min(1).max(200).optional(),
    /** LIDO: inscriptions and marks transcribed from the object, where known. */
    inscriptions: z.array(z.string().trim().min(1).max(2000)).max(50).optional(),
    /** LIDO: the credit line to show with the object and its images. */
    credit_line: z.string().trim().min(1).max(500).optional(),
  })
  .strict();

/**
 * Optional OCR of every page after its derivatives (ALTO 4.4 and plain text per page, in the
 * package and METS FULLTEXT). Languages are those whose data ships with the app.
 */
export const OcrSettings = z
  .object({
    enabled: z.boolean(),
    languages: z
      .array(z.enum(['eng', 'fra']))
      .min(1)
      .max(2),
  })
  .strict();
export type OcrSettings = z.infer<typeof OcrSettings>;

export const BatchManifest = z
  .object({
    batch_id: Id,
    device: Id,
    scanner_profile: ScannerProfile,
    /** A page count, or "until_empty" to scan until the feeder is empty. */
    expected_pages: z.union(
      [
        z
          .number({ error: PAGES_MESSAGE })
          .int(PAGES_MESSAGE)
          .min(1, PAGES_MESSAGE)
          .max(MAX_MANIFEST_PAGES, PAGES_MESSAGE),
        z.literal('until_empty'),
      ],
      { error: PAGES_MESSAGE },
    ),
    file_count: z.number().int().min(0).max(10_000).optional(),
    checksums: z
      .object({
        manifest_sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/, 'Use the SHA-256 as 64 lowercase hexadecimal characters'),
      })
      .strict(),
    metadata_schema: MetadataSchema,
    descriptive: DescriptiveMetadata,
    operator: z.string().trim().min(1, 'Name the operator (their username)').max(64),
    ocr: OcrSettings.optional(),
    /**
     * Repository destinations (their names in Settings → Storage) this batch's package goes to
     * once packaged; left out: the destinations marked automatic. An empty list sends it nowhere.
     */
    transfer_to: z.array(z.string().trim().min(1).max(60)).max(10).optional(),
  })
  .strict()
  .refine(
    (m) =>
      m.file_count === undefined || m.expected_pages === 'until_empty' || m.file_count === m.expected_pages,
    {
      message: 'The file count must equal the number of pages',
      path: ['file_count'],
    },
  );
export type BatchManifest = z.infer<typeof BatchManifest>;

/** The same manifest before main has filled in its checksum (the console's form). */
export const ManifestDraft = z.object({}).passthrough();

/**
 * Bounds on any manifest before it is parsed, hashed or stored: a manifest describes one batch
 * in a few kilobytes, so these leave wide room while keeping a hostile or broken file (50 MB,
 * nested a million deep) from costing memory, stack or database space.
 */
export const MANIFEST_LIMITS = {
  /** Canonical JSON, UTF-8. */
  maxBytes: 256 * 1024,
  /** The manifest itself is depth 1; its deepest real field (an accession number) is depth 3. */
  maxDepth: 8,
  maxStringLength: 10_000,
  maxArrayLength: 1_000,
  maxKeysPerObject: 200,
};

const KIB = 1024;

/**
 * The first way a value is not a manifest-shaped JSON object within MANIFEST_LIMITS, or null.
 * Walks iteratively and stops at the first problem, so it is safe on any input.
 */
export function manifestShapeProblem(value: unknown): string | null {
  if (value === null) return 'the manifest is null; it must be a JSON object';
  if (Array.isArray(value)) return 'the manifest is an array; it must be a JSON object';
  if (typeof value !== 'object') return `the manifest is a ${typeof value}; it must be a JSON object`;
  const limits = MANIFEST_LIMITS;
  let bytes = 0;
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 1 }];
  while (stack.length > 0) {
    const { value: node, path, depth } = stack.pop()!;
    const where = path || 'the manifest';
    if (typeof node === 'string') {
      if (node.length > limits.maxStringLength)
        return `${where} is ${node.length} characters long; the limit is ${limits.maxStringLength}`;
      bytes += utf8JsonLength(node);
    } else if (node === null || typeof node === 'number' || typeof node === 'boolean') {
      bytes += String(node).length;
    } else if (typeof node !== 'object') {
      return `${where} is a ${typeof node}, which JSON cannot hold`;
    } else {
      if (depth > limits.maxDepth) return `${where} is nested deeper than ${limits.maxDepth} levels`;
      const entries: Array<[string, unknown]> = Array.isArray(node)
        ? node.map((item, i) => [String(i), item])
        : Object.entries(node as Record<string, unknown>).filter(([, v]) => v !== undefined);
      if (Array.isArray(node) && node.length > limits.maxArrayLength)
        return `${where} has ${node.length} items; the limit is ${limits.maxArrayLength}`;
      if (!Array.isArray(node) && entries.length > limits.maxKeysPerObject)
        return `${where} has ${entries.length} fields; the limit is ${limits.maxKeysPerObject}`;
      bytes += 2 + Math.max(0, entries.length - 1);
      for (const [key, child] of entries) {
        if (!Array.isArray(node)) bytes += utf8JsonLength(key) + 1;
        stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
      }
    }
    if (bytes > limits.maxBytes)
      return `the manifest is larger than ${limits.maxBytes / KIB} KiB (as canonical JSON)`;
  }
  return null;
}

/** Bytes of a string as a JSON string literal in UTF-8, quotes included (escapes counted as one). */
function utf8JsonLength(text: string): number {
  let bytes = 2;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

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
