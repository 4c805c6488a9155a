import { readFileSync } from 'node:fs';
import { withChecksum } from '../../electron/pipeline/manifest/verify-manifest';

/** The shipped example with changes, and its checksum recomputed (unless told not to). */
export function exampleManifest(
  patch: Record<string, unknown> = {},
  options: { recompute?: boolean } = {},
): Record<string, unknown> {
  const base = JSON.parse(readFileSync('examples/batch-manifest.json', 'utf8')) as Record<string, unknown>;
  const merged = { ...base, ...patch };
  return options.recompute === false ? merged : withChecksum(merged);
}
