import { createHash } from 'node:crypto';
import { toWireIssues, type WireIssue } from '../../../shared/contract/index';
import {
  BatchManifest,
  checksumBody,
  manifestShapeProblem,
  positivePageCount,
} from '../../../shared/domain/manifest';
import { isSafeId } from '../../../shared/domain/safe-id';
import { invalidInput } from '../../core/station-error';

/**
 * What a batch row may hold about its manifest, whether the manifest is valid or not: every
 * field fits the contract's BatchSummary, so one bad manifest can never break everyone's list.
 */
export interface BatchRecordFields {
  device: string;
  title: string;
  accessionNumbers: string[];
  /** A positive page count, or null ("until_empty", or nothing usable in an invalid manifest). */
  pagesExpected: number | null;
  /** The operator the manifest names; the signed-in person, when there is one, takes precedence. */
  operator: string;
}

export type ManifestCheck =
  | { ok: true; manifest: BatchManifest; sha256: string; record: BatchRecordFields }
  | {
      ok: false;
      issues: WireIssue[];
      sha256: string | null;
      batchId: string | null;
      record: BatchRecordFields;
    };

/**
 * Refuses, as INVALID_INPUT naming the problem, anything that is not a manifest-shaped object
 * within MANIFEST_LIMITS (null, an array, 50 MB, nested a million deep), before it is hashed,
 * parsed or stored.
 */
export function assertManifestShape(input: unknown): asserts input is Record<string, unknown> {
  const problem = manifestShapeProblem(input);
  if (problem) throw invalidInput(`invalid manifest: ${problem}`, [{ path: '(root)', message: problem }]);
}

export function manifestSha256(manifest: Record<string, unknown>): string {
  assertManifestShape(manifest);
  return createHash('sha256').update(checksumBody(manifest), 'utf8').digest('hex');
}

/**
 * Checks a manifest from any source (form, imported file, CLI): every schema violation with
 * its path, and the checksum over the canonical body. `batchId` is returned when it alone is
 * usable, so an otherwise invalid manifest can still be quarantined under its own id; `record`
 * is what its batch row may show. Throws INVALID_INPUT when the input is no manifest at all.
 */
export function verifyManifest(input: unknown): ManifestCheck {
  assertManifestShape(input);
  const sha256 = manifestSha256(input);
  const parsed = BatchManifest.safeParse(input);
  const issues: WireIssue[] = parsed.success ? [] : toWireIssues(parsed.error);
  const declared = (input as { checksums?: { manifest_sha256?: unknown } }).checksums?.manifest_sha256;
  if (typeof declared === 'string' && /^[0-9a-f]{64}$/.test(declared) && declared !== sha256) {
    issues.push({
      path: 'checksums.manifest_sha256',
      message: `does not match the manifest: its SHA-256 is ${sha256}`,
    });
  }
  const record = batchRecordFields(input);
  if (parsed.success && issues.length === 0) return { ok: true, manifest: parsed.data, sha256, record };
  const rawId = input.batch_id;
  const batchId = typeof rawId === 'string' && isSafeId(rawId) ? rawId : null;
  return { ok: false, issues, sha256, batchId, record };
}

/** Fills in (or corrects) the checksum of a manifest built by the console's form. */
export function withChecksum(manifest: Record<string, unknown>): Record<string, unknown> {
  return { ...manifest, checksums: { manifest_sha256: manifestSha256(manifest) } };
}

const MAX_TITLE = 500;
const MAX_ACCESSIONS = 100;
const MAX_SHORT_TEXT = 64;

/** The summary fields of any manifest-shaped object, each cut down to what the contract accepts. */
export function batchRecordFields(manifest: Record<string, unknown>): BatchRecordFields {
  const descriptive = isRecord(manifest.descriptive) ? manifest.descriptive : {};
  const title = typeof descriptive.title === 'string' ? descriptive.title.trim() : '';
  const accessions = Array.isArray(descriptive.accession_numbers) ? descriptive.accession_numbers : [];
  const pages = manifest.expected_pages;
  const operator = typeof manifest.operator === 'string' ? manifest.operator.trim() : '';
  return {
    device: typeof manifest.device === 'string' && isSafeId(manifest.device) ? manifest.device : 'unknown',
    title: title ? title.slice(0, MAX_TITLE) : '(untitled)',
    accessionNumbers: accessions
      .filter((a): a is string => typeof a === 'string' && a.trim().length > 0)
      .slice(0, MAX_ACCESSIONS)
      .map((a) => a.trim().slice(0, MAX_SHORT_TEXT)),
    pagesExpected: positivePageCount(pages),
    operator: operator ? operator.slice(0, MAX_SHORT_TEXT) : 'unknown',
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
