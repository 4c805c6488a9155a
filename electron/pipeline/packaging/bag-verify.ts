import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';

export interface BagVerdict {
  valid: boolean;
  errors: string[];
  warnings: string[];
}

const ALGORITHMS: Record<string, string> = {
  md5: 'md5',
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
};

async function digest(file: string, algorithm: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, full)));
    else out.push(path.relative(root, full).split(path.sep).join('/'));
  }
  return out;
}

function decodePath(p: string): string {
  return p.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

/** A manifest or fetch path must stay inside the bag (and, for payload, inside data/). */
function outOfScope(p: string): string | null {
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\')) return 'is absolute';
  if (p.startsWith('~')) return 'uses a home-folder shortcut';
  const parts = p.split(/[\\/]/);
  let depth = 0;
  for (const part of parts) {
    if (part === '..') depth -= 1;
    else if (part !== '.' && part !== '') depth += 1;
    if (depth < 0) return 'climbs out of the bag';
  }
  return null;
}

/** Decodes a tag file in the encoding bagit.txt declares (UTF-8, UTF-16 with its BOM, ISO-8859-1). */
function decodeTagFile(bytes: Buffer, encoding: string): string {
  const e = encoding.toUpperCase().replace(/_/g, '-');
  if (e.startsWith('UTF-16')) {
    if (bytes[0] === 0xfe && bytes[1] === 0xff)
      return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
    return bytes.subarray(bytes[0] === 0xff && bytes[1] === 0xfe ? 2 : 0).toString('utf16le');
  }
  if (e === 'ISO-8859-1' || e === 'LATIN1' || e === 'US-ASCII') return bytes.toString('latin1');
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

function parseTagFile(text: string, name: string, errors: string[], strict = true): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const lines = text.split(/\r\n|\r|\n/);
  let last: string | null = null;
  for (const line of lines) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && last) {
      fields.get(last)!.push((fields.get(last)!.pop() ?? '') + ' ' + line.trim());
      continue;
    }
    // bagit.txt is strict (RFC 8493: "Label: value"); bag-info.txt tolerates spaces around the colon.
    const match = strict
      ? /^([^:\s][^:]*?):[ \t]+(.*)$/.exec(line)
      : /^([^:\s][^:]*?)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!match || (strict && /\s$/.test(match[1]!))) {
      errors.push(`${name}: malformed line ${JSON.stringify(line)}`);
      continue;
    }
    last = match[1]!;
    fields.set(last, [...(fields.get(last) ?? []), match[2]!]);
  }
  return fields;
}

/**
 * Validates a bag as the BagIt specification (RFC 8493 and its drafts) says: bagit.txt well
 * formed; every payload file listed in every payload manifest; every listed file present
 * (unless fetch.txt provides it) with a matching digest; no path out of scope; tag manifests
 * checked. Duplicate entries are errors from 1.0 on and warnings before.
 */
export async function verifyBag(bagDir: string): Promise<BagVerdict> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const done = (): BagVerdict => ({ valid: errors.length === 0, errors, warnings });

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
  if (!bagit.get('Tag-File-Character-Encoding')?.[0])
    errors.push('bagit.txt: Tag-File-Character-Encoding is missing');
  const [major, minor] = (version ?? '0.0').split('.').map(Number) as [number, number];
  const v1 = major >= 1;
  if (major === 0 && minor < 93) errors.push(`BagIt-Version ${version} is not supported`);

  const entries = await fs.readdir(bagDir);
  const payloadManifests = entries.filter((n) => /^manifest-[a-z0-9]+\.txt$/.test(n));
  const tagManifests = entries.filter((n) => /^tagmanifest-[a-z0-9]+\.txt$/.test(n));
  if (payloadManifests.length === 0) errors.push('no payload manifest (manifest-<algorithm>.txt)');
  const encoding = bagit.get('Tag-File-Character-Encoding')?.[0] ?? 'UTF-8';
  const readTag = async (name: string) => decodeTagFile(await fs.readFile(path.join(bagDir, name)), encoding);
  if (entries.includes('bag-info.txt'))
    parseTagFile(await readTag('bag-info.txt'), 'bag-info.txt', errors, false);

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

  const payloadFiles = entries.includes('data') ? await listFiles(bagDir, path.join(bagDir, 'data')) : [];
  for (const f of payloadFiles) {
    if (/(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini)$/i.test(f))
      warnings.push(`${f} is an operating-system file`);
  }

  const checkManifest = async (name: string, payload: boolean) => {
    const algorithm = ALGORITHMS[name.replace(/^(tag)?manifest-|\.txt$/g, '')];
    if (!algorithm) {
      errors.push(`${name}: unknown algorithm`);
      return new Set<string>();
    }
    const listed = new Map<string, string>();
    const normalized = new Map<string, string>();
    for (const line of (await readTag(name)).split(/\r?\n/).filter((l) => l.trim() !== '')) {
      const m = /^([0-9a-fA-F]+)[ \t]+(\*?)(.+)$/.exec(line);
      if (!m) {
        errors.push(`${name}: malformed line ${JSON.stringify(line)}`);
        continue;
      }
      if (m[2]) warnings.push(`${name}: "*" before a path (md5sum binary marker)`);
      const raw = decodePath(m[3]!);
      const scope = outOfScope(raw);
      if (scope) {
        errors.push(`${name}: ${raw} ${scope}`);
        continue;
      }
      const file = path.posix.normalize(raw.replace(/^\.\//, ''));
      if (raw.startsWith('./')) warnings.push(`${name}: ${raw} starts with ./`);
      if (payload && !file.startsWith('data/')) errors.push(`${name}: ${file} is outside data/`);
      const sum = m[1]!.toLowerCase();
      const previous = listed.get(file);
      if (previous !== undefined) {
        if (previous !== sum) errors.push(`${name}: ${file} is listed twice with different digests`);
        else if (v1) errors.push(`${name}: ${file} is listed twice`);
        else warnings.push(`${name}: ${file} is listed twice`);
        continue;
      }
      const nfc = file.normalize('NFC');
      if (normalized.has(nfc) && normalized.get(nfc) !== file)
        warnings.push(`${name}: ${file} is listed twice under different Unicode normalizations`);
      normalized.set(nfc, file);
      listed.set(file, sum);
    }
    for (const [file, sum] of listed) {
      const full = path.join(bagDir, ...file.split('/'));
      try {
        const actual = await digest(full, algorithm);
        if (actual !== sum)
          errors.push(`${name}: ${file} has ${algorithm} ${actual}, the manifest says ${sum}`);
      } catch {
        if (fetched.has(file)) continue;
        // Bags made on case-insensitive or normalizing file systems (macOS, Windows) list names
        // that resolve to one file there; OS files are often stripped in transfer. Valid, with a warning.
        const twin = [...listed.keys()].find(
          (other) =>
            other !== file &&
            (other.toLowerCase() === file.toLowerCase() || other.normalize('NFC') === file.normalize('NFC')),
        );
        if (twin)
          warnings.push(
            `${name}: ${file} is missing here; ${twin} differs from it only in case or Unicode normalization`,
          );
        else if (/(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini)$/i.test(file))
          warnings.push(`${name}: operating-system file ${file} is listed but missing`);
        else errors.push(`${name}: ${file} is listed but missing`);
      }
    }
    return new Set(listed.keys());
  };

  for (const manifest of payloadManifests) {
    const listed = await checkManifest(manifest, true);
    const lowerSeen = new Map<string, string>();
    for (const rel of payloadFiles) {
      if (!listed.has(rel)) errors.push(`${rel} is in the payload but not in ${manifest}`);
      const lower = rel.toLowerCase();
      if (lowerSeen.has(lower) && lowerSeen.get(lower) !== rel)
        warnings.push(`${rel} differs from ${lowerSeen.get(lower)} only in case`);
      lowerSeen.set(lower, rel);
    }
  }
  for (const manifest of tagManifests) await checkManifest(manifest, false);
  return done();
}
