import { createHash, randomInt } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { PackageTarget, SourceFile } from './destination';
import { isTagFile, payloadManifests } from './package-files';

export type VerifyMode = 'all' | 'sample';

export interface DestinationVerdict {
  verified: boolean;
  /** Files whose content was read back (or whose stored checksum was compared). */
  checked: number;
  errors: string[];
  /** Files that failed and must be sent again. */
  failed: string[];
}

/** A sample: at least 10 payload files, or a tenth of them, chosen at random each time. */
function sample<T>(items: T[]): T[] {
  const want = Math.min(items.length, Math.max(10, Math.ceil(items.length / 10)));
  const pool = [...items];
  for (let i = 0; i < want; i += 1) {
    const j = i + randomInt(pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, want);
}

/**
 * Checks a package at its destination: every file's size always; then, reading files back, the
 * tag files against the local package byte for byte (manifests included) and the payload
 * (every file, or a sample) against the package's own manifests. A destination that stores
 * checksums (S3) has them compared with the local files instead of being read.
 */
export async function verifyAtDestination(
  target: PackageTarget,
  files: SourceFile[],
  mode: VerifyMode,
  readsBack: boolean,
  throttle: (bytes: number) => Promise<void>,
): Promise<DestinationVerdict> {
  const errors: string[] = [];
  const failed = new Set<string>();
  const fail = (rel: string, why: string) => {
    errors.push(`${rel}: ${why}`);
    failed.add(rel);
  };
  for (const f of files) {
    const size = await target.size(f.rel);
    if (size === null) fail(f.rel, 'missing at the destination');
    else if (size !== f.size) fail(f.rel, `${size} bytes at the destination, ${f.size} in the package`);
  }

  // The package's own manifests say what each payload file must hash to.
  const expected = await payloadManifests(files);
  const payload = files.filter((f) => !isTagFile(f.rel));
  const chosen = [...files.filter((f) => isTagFile(f.rel)), ...(mode === 'all' ? payload : sample(payload))];

  let checked = 0;
  for (const f of chosen) {
    if (failed.has(f.rel)) continue;
    checked += 1;
    const want = new Map<string, string>();
    for (const [algorithm, entries] of expected) {
      const digest = entries.get(f.rel);
      if (digest) want.set(algorithm, digest);
    }
    if (!readsBack) {
      // The destination's own checksums are compared with the local file's, and it with the manifest.
      const problem = await target.checkStored(f, want);
      if (problem) fail(f.rel, problem);
      continue;
    }
    // Tag files, and payload no manifest lists, are compared with the local copy's SHA-256.
    if (want.size === 0 || isTagFile(f.rel)) want.set('sha256', await localSha256(f.path));
    const hashes = [...want.keys()].map((a) => [a, createHash(a)] as const);
    const stream = target.read(f.rel);
    if (!stream) throw new Error('this destination cannot be read back');
    for await (const chunk of stream) {
      await throttle(chunk.length);
      for (const [, h] of hashes) h.update(chunk);
    }
    for (const [algorithm, h] of hashes) {
      const actual = h.digest('hex');
      if (actual !== want.get(algorithm))
        fail(
          f.rel,
          `${algorithm} read back is ${actual}, the package's manifest says ${want.get(algorithm)}`,
        );
    }
  }
  return { verified: errors.length === 0, checked, errors, failed: [...failed] };
}

async function localSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest('hex');
}
