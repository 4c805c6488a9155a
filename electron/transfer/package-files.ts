import { promises as fs } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SourceFile } from './destination';

/** Masters first, then the other payload, then the tag files (manifests last of all). */
function rank(rel: string): number {
  if (rel.startsWith('data/masters/')) return 0;
  if (rel.startsWith('data/')) return 1;
  if (/^(tag)?manifest-/.test(rel)) return 3;
  return 2;
}

export const isTagFile = (rel: string): boolean => !rel.startsWith('data/');

/**
 * Every regular file of a package, in sending order. Links and other special files are refused:
 * a bag holds plain files, and following a link could send something outside the package.
 */
export async function listPackageFiles(packageDir: string): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(packageDir, full).split(path.sep).join('/');
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push({ rel, path: full, size: (await fs.stat(full)).size });
      else throw new Error(`${rel} in ${packageDir} is not a regular file; a package holds plain files only`);
    }
  };
  await walk(packageDir);
  if (!out.some((f) => f.rel === 'bagit.txt'))
    throw new Error(`${packageDir} is not a BagIt package (no bagit.txt)`);
  return out.sort((a, b) => rank(a.rel) - rank(b.rel) || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Manifest paths percent-encode CR, LF and % (RFC 8493 §2.1.3). */
const decodePath = (p: string) => p.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');

/** `<digest> <path>` lines of a (tag) manifest → path → digest. */
export function parseManifest(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]+)[ \t]+\*?(.+)$/.exec(line);
    if (m) entries.set(path.posix.normalize(decodePath(m[2]!)), m[1]!.toLowerCase());
  }
  return entries;
}

/** The algorithm a manifest file name names: `manifest-sha256.txt` → `sha256`. */
export const manifestAlgorithm = (rel: string): string | null =>
  /^(?:tag)?manifest-([a-z0-9]+)\.txt$/.exec(rel)?.[1] ?? null;

/** Every digest the package's payload manifests give: algorithm → path → digest. */
export async function payloadManifests(files: SourceFile[]): Promise<Map<string, Map<string, string>>> {
  const manifests = new Map<string, Map<string, string>>();
  for (const f of files) {
    const algorithm = /^manifest-/.test(f.rel) ? manifestAlgorithm(f.rel) : null;
    if (algorithm) manifests.set(algorithm, parseManifest(await readFile(f.path, 'utf8')));
  }
  return manifests;
}

/**
 * How the package's files differ from what its own manifests list (BagIt completeness): a file a
 * manifest names that is not there (a master lost from the station's disk), a payload file no
 * payload manifest lists, or no payload manifest at all. Sent as it is, such a package would be
 * verified against itself and recorded as replicated without its missing page.
 */
export async function manifestProblems(files: SourceFile[]): Promise<string[]> {
  const present = new Set(files.map((f) => f.rel));
  const problems: string[] = [];
  const payload = await payloadManifests(files);
  if (payload.size === 0) problems.push('it has no payload manifest (manifest-<algorithm>.txt)');
  for (const [algorithm, entries] of payload) {
    for (const rel of entries.keys())
      if (!present.has(rel)) problems.push(`${rel} is listed in manifest-${algorithm}.txt but is missing`);
    for (const f of files)
      if (!isTagFile(f.rel) && !entries.has(f.rel))
        problems.push(`${f.rel} is not listed in manifest-${algorithm}.txt`);
  }
  for (const f of files) {
    const algorithm = /^tagmanifest-/.test(f.rel) ? manifestAlgorithm(f.rel) : null;
    if (!algorithm) continue;
    for (const rel of parseManifest(await readFile(f.path, 'utf8')).keys())
      if (!present.has(rel)) problems.push(`${rel} is listed in ${f.rel} but is missing`);
  }
  return problems;
}
