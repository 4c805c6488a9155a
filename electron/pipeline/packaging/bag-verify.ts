import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  decodePath,
  decodeTagFile,
  MANIFEST_ALGORITHMS,
  OS_FILE,
  outOfScope,
  parseTagFile,
} from './bag-tags';
import { hashFile } from './hashing';

export interface BagVerdict {
  valid: boolean;
  errors: string[];
  warnings: string[];
}

/** What a fixity check reports, file by file (paths relative to the bag, `data/…`). */
export interface BagInspection extends BagVerdict {
  changed: { file: string; algorithm: string; expected: string; actual: string }[];
  missing: string[];
  /** In the payload but not in a payload manifest. */
  extra: string[];
  /** Files hashed. */
  checked: number;
}

interface Listing {
  manifest: string;
  algorithm: string;
  entries: Map<string, string>;
}

async function listFiles(root: string, dir: string, links: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const rel = path.relative(root, full).split(path.sep).join('/');
    if (entry.isSymbolicLink()) links.push(rel);
    else if (entry.isDirectory()) out.push(...(await listFiles(root, full, links)));
    else out.push(rel);
  }
  return out;
}

/**
 * Validates a bag as the BagIt specification (RFC 8493 and its drafts 0.93–0.97) says, matching
 * the Library of Congress conformance suite: bagit.txt well formed; every payload file in every
 * payload manifest; every listed file present (unless fetch.txt provides it) with matching
 * digests; no path out of scope (absolute, home-folder, climbing out, or payload outside data/,
 * on any OS: a bag must be portable); tag manifests checked; a Payload-Oxum that does not match is a warning.
 * Duplicate entries are errors from 1.0 on and warnings before. Every file is read once, for
 * all the algorithms its manifests use.
 */
export async function inspectBag(bagDir: string): Promise<BagInspection> {
  const result: BagInspection = {
    valid: false,
    errors: [],
    warnings: [],
    changed: [],
    missing: [],
    extra: [],
    checked: 0,
  };
  const { errors, warnings } = result;
  const done = () => ({ ...result, valid: errors.length === 0 });

  let bagitRaw: Buffer;
  try {
    bagitRaw = await fs.readFile(path.join(bagDir, 'bagit.txt'));
  } catch {
    errors.push('bagit.txt is missing');
    return done();
  }
  if (bagitRaw[0] === 0xef && bagitRaw[1] === 0xbb && bagitRaw[2] === 0xbf)
    errors.push('bagit.txt starts with a byte-order mark');
  const bagit = parseTagFile(bagitRaw.toString('utf8').replace(/^\uFEFF/, ''), 'bagit.txt', errors);
  const version = bagit.get('BagIt-Version')?.[0];
  if (!version || !/^\d+\.\d+$/.test(version))
    errors.push(`bagit.txt: BagIt-Version ${JSON.stringify(version ?? null)} is not M.N`);
  const encoding = bagit.get('Tag-File-Character-Encoding')?.[0];
  if (!encoding) errors.push('bagit.txt: Tag-File-Character-Encoding is missing');
  const [major, minor] = (version ?? '0.0').split('.').map(Number) as [number, number];
  const v1 = major >= 1;
  if (major === 0 && minor < 93) errors.push(`BagIt-Version ${version} is not supported`);

  const entries = await fs.readdir(bagDir);
  const readTag = async (name: string) =>
    decodeTagFile(await fs.readFile(path.join(bagDir, name)), encoding ?? 'UTF-8');
  const payloadManifests = entries.filter((n) => /^manifest-[a-z0-9]+\.txt$/.test(n));
  const tagManifests = entries.filter((n) => /^tagmanifest-[a-z0-9]+\.txt$/.test(n));
  if (payloadManifests.length === 0) errors.push('no payload manifest (manifest-<algorithm>.txt)');

  let oxum: string | undefined;
  if (entries.includes('bag-info.txt')) {
    const info = parseTagFile(await readTag('bag-info.txt'), 'bag-info.txt', errors, false);
    oxum = info.get('Payload-Oxum')?.[0];
  }

  const fetched = new Set<string>();
  if (entries.includes('fetch.txt')) {
    for (const line of (await readTag('fetch.txt')).split(/\r?\n/).filter(Boolean)) {
      const m = /^(\S+)\s+(\S+)\s+(.+)$/.exec(line);
      if (!m) {
        errors.push(`fetch.txt: malformed line ${JSON.stringify(line)}`);
        continue;
      }
      const target = decodePath(m[3]!);
      const scope = outOfScope(target);
      if (scope || !target.replace(/^\.\//, '').startsWith('data/'))
        errors.push(`fetch.txt: ${target} ${scope ?? 'is outside data/'}`);
      fetched.add(path.posix.normalize(target));
    }
  }

  const links: string[] = [];
  const payloadFiles = entries.includes('data')
    ? await listFiles(bagDir, path.join(bagDir, 'data'), links)
    : [];
  // A symbolic link's bytes are not in the bag (and could point anywhere on this machine).
  for (const link of links) errors.push(`${link} is a symbolic link`);
  for (const f of payloadFiles) if (OS_FILE.test(f)) warnings.push(`${f} is an operating-system file`);

  const listings: Listing[] = [];
  for (const manifest of [...payloadManifests, ...tagManifests]) {
    const payload = !manifest.startsWith('tag');
    const algorithm = MANIFEST_ALGORITHMS[manifest.replace(/^(tag)?manifest-|\.txt$/g, '')];
    if (!algorithm) {
      errors.push(`${manifest}: unknown algorithm`);
      continue;
    }
    const listed = new Map<string, string>();
    const normalized = new Map<string, string>();
    for (const line of (await readTag(manifest)).split(/\r?\n/).filter((l) => l.trim() !== '')) {
      const m = /^([0-9a-fA-F]+)[ \t]+(\*?)(.+)$/.exec(line);
      if (!m) {
        errors.push(`${manifest}: malformed line ${JSON.stringify(line)}`);
        continue;
      }
      if (m[2]) warnings.push(`${manifest}: "*" before a path (md5sum binary marker)`);
      const raw = decodePath(m[3]!);
      const scope = outOfScope(raw);
      if (scope) {
        errors.push(`${manifest}: ${raw} ${scope}`);
        continue;
      }
      const file = path.posix.normalize(raw.replace(/^\.\//, ''));
      if (raw.startsWith('./')) warnings.push(`${manifest}: ${raw} starts with ./`);
      if (payload && !file.startsWith('data/')) errors.push(`${manifest}: ${file} is outside data/`);
      const sum = m[1]!.toLowerCase();
      const previous = listed.get(file);
      if (previous !== undefined) {
        if (previous !== sum) errors.push(`${manifest}: ${file} is listed twice with different digests`);
        else if (v1) errors.push(`${manifest}: ${file} is listed twice`);
        else warnings.push(`${manifest}: ${file} is listed twice`);
        continue;
      }
      const nfc = file.normalize('NFC');
      if (normalized.has(nfc) && normalized.get(nfc) !== file)
        warnings.push(`${manifest}: ${file} is listed twice under different Unicode normalizations`);
      normalized.set(nfc, file);
      listed.set(file, sum);
    }
    listings.push({ manifest, algorithm, entries: listed });
  }

  // Every file once, with every algorithm it is listed under.
  const wanted = new Map<string, Set<string>>();
  for (const l of listings)
    for (const file of l.entries.keys()) wanted.set(file, (wanted.get(file) ?? new Set()).add(l.algorithm));
  const digests = new Map<string, Map<string, string> | null>();
  for (const [file, algorithms] of wanted) {
    const list = [...algorithms];
    try {
      const sums = await hashFile(path.join(bagDir, ...file.split('/')), list);
      digests.set(file, new Map(list.map((a, i) => [a, sums[i]!])));
      result.checked += 1;
    } catch {
      digests.set(file, null);
    }
  }

  const missingReported = new Set<string>();
  for (const { manifest, algorithm, entries: listed } of listings) {
    for (const [file, sum] of listed) {
      const actual = digests.get(file);
      if (actual) {
        const got = actual.get(algorithm)!;
        if (got !== sum) {
          errors.push(`${manifest}: ${file} has ${algorithm} ${got}, the manifest says ${sum}`);
          result.changed.push({ file, algorithm, expected: sum, actual: got });
        }
        continue;
      }
      if (fetched.has(file)) continue;
      // Bags made on case-insensitive or normalizing file systems (macOS, Windows) may list names
      // that resolve to one file there; OS files are often stripped in transfer: valid, with a warning.
      const twin = [...listed.keys()].find(
        (other) =>
          other !== file &&
          (other.toLowerCase() === file.toLowerCase() || other.normalize('NFC') === file.normalize('NFC')),
      );
      if (twin)
        warnings.push(
          `${manifest}: ${file} is missing here; ${twin} differs from it only in case or Unicode normalization`,
        );
      else if (OS_FILE.test(file))
        warnings.push(`${manifest}: operating-system file ${file} is listed but missing`);
      else {
        errors.push(`${manifest}: ${file} is listed but missing`);
        if (!missingReported.has(file)) result.missing.push(file);
        missingReported.add(file);
      }
    }
  }

  const extra = new Set<string>();
  for (const { manifest, entries: listed } of listings.filter((l) => !l.manifest.startsWith('tag'))) {
    const lowerSeen = new Map<string, string>();
    for (const rel of payloadFiles) {
      if (!listed.has(rel)) {
        errors.push(`${rel} is in the payload but not in ${manifest}`);
        extra.add(rel);
      }
      const lower = rel.toLowerCase();
      if (lowerSeen.has(lower) && lowerSeen.get(lower) !== rel)
        warnings.push(`${rel} differs from ${lowerSeen.get(lower)} only in case`);
      lowerSeen.set(lower, rel);
    }
  }
  result.extra = [...extra];

  if (oxum && fetched.size === 0) {
    const m = /^(\d+)\.(\d+)$/.exec(oxum.trim());
    if (!m) warnings.push(`bag-info.txt: Payload-Oxum ${JSON.stringify(oxum)} is not <octets>.<files>`);
    else {
      let octets = 0;
      for (const f of payloadFiles) octets += (await fs.stat(path.join(bagDir, ...f.split('/')))).size;
      // A hint for a quick completeness check, not a digest: the manifests decide validity (the
      // suite has valid bags whose Oxum counts an operating-system file stripped in transfer).
      if (Number(m[1]) !== octets || Number(m[2]) !== payloadFiles.length)
        warnings.push(
          `bag-info.txt: Payload-Oxum ${oxum} does not match the payload (${octets}.${payloadFiles.length})`,
        );
    }
  }
  return done();
}

export async function verifyBag(bagDir: string): Promise<BagVerdict> {
  const { valid, errors, warnings } = await inspectBag(bagDir);
  return { valid, errors, warnings };
}
