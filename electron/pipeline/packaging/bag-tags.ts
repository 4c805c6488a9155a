/** Reading BagIt tag files: bagit.txt, bag-info.txt, manifests and fetch.txt. */

export const MANIFEST_ALGORITHMS: Record<string, string> = {
  md5: 'md5',
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
};

/** Manifest and fetch paths percent-encode CR, LF and % (RFC 8493 §2.1.3). */
export function decodePath(p: string): string {
  return p.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

/** Why a manifest or fetch path is out of the bag's scope, or null if it is not. */
export function outOfScope(p: string): string | null {
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\')) return 'is absolute';
  if (p.startsWith('~')) return 'uses a home-folder shortcut';
  let depth = 0;
  for (const part of p.split(/[\\/]/)) {
    if (part === '..') depth -= 1;
    else if (part !== '.' && part !== '') depth += 1;
    if (depth < 0) return 'climbs out of the bag';
  }
  return null;
}

/** Decodes a tag file in the encoding bagit.txt declares (UTF-8, UTF-16 with its BOM, ISO-8859-1). */
export function decodeTagFile(bytes: Buffer, encoding: string): string {
  const e = encoding.toUpperCase().replace(/_/g, '-');
  if (e.startsWith('UTF-16')) {
    if (bytes[0] === 0xfe && bytes[1] === 0xff)
      return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
    return bytes.subarray(bytes[0] === 0xff && bytes[1] === 0xfe ? 2 : 0).toString('utf16le');
  }
  if (e === 'ISO-8859-1' || e === 'LATIN1' || e === 'US-ASCII') return bytes.toString('latin1');
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/**
 * `Label: value` lines with indented continuation lines. bagit.txt is strict (RFC 8493: exactly
 * "label colon space value"); bag-info.txt tolerates other spacing around the colon.
 */
export function parseTagFile(
  text: string,
  name: string,
  errors: string[],
  strict = true,
): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let last: string | null = null;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && last) {
      const values = fields.get(last)!;
      values.push(`${values.pop() ?? ''} ${line.trim()}`);
      continue;
    }
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

/** Names that operating systems drop into folders by themselves. */
export const OS_FILE = /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini)$/i;
