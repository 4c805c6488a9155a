import { createHash } from 'node:crypto';
import { toWireIssues, type WireIssue } from '../../../shared/contract/index';
import { BatchManifest, checksumBody } from '../../../shared/domain/manifest';
import { isSafeId } from '../../../shared/domain/safe-id';

export type ManifestCheck =
  | { ok: true; manifest: BatchManifest; sha256: string }
  | { ok: false; issues: WireIssue[]; sha256: string | null; batchId: string | null };

export function manifestSha256(manifest: Record<string, unknown>): string {
  return createHash('sha256').update(checksumBody(manifest), 'utf8').digest('hex');
}

/**
 * Checks a manifest from any source (form, imported file, CLI): every schema violation with
 * its path, and the checksum over the canonical body. `batchId` is returned when it alone is
 * usable, so an otherwise invalid manifest can still be quarantined under its own id.
 */
export function verifyManifest(input: unknown): ManifestCheck {
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  const sha256 = isObject ? manifestSha256(input as Record<string, unknown>) : null;
  const parsed = BatchManifest.safeParse(input);
  const issues: WireIssue[] = parsed.success ? [] : toWireIssues(parsed.error);
  const declared = isObject
    ? ((input as { checksums?: { manifest_sha256?: unknown } }).checksums?.manifest_sha256 ?? null)
    : null;
  if (sha256 && typeof declared === 'string' && /^[0-9a-f]{64}$/.test(declared) && declared !== sha256) {
    issues.push({
      path: 'checksums.manifest_sha256',
      message: `does not match the manifest: its SHA-256 is ${sha256}`,
    });
  }
  if (parsed.success && issues.length === 0) return { ok: true, manifest: parsed.data, sha256: sha256! };
  const rawId = isObject ? (input as { batch_id?: unknown }).batch_id : null;
  const idOk = typeof rawId === 'string' && isSafeId(rawId);
  return { ok: false, issues, sha256, batchId: idOk ? rawId : null };
}

/** Fills in (or corrects) the checksum of a manifest built by the console's form. */
export function withChecksum(manifest: Record<string, unknown>): Record<string, unknown> {
  return { ...manifest, checksums: { manifest_sha256: manifestSha256(manifest) } };
}
