import type { StoredAsset } from '../../../shared/contract/index';
import { effectiveAccess } from '../access-tier';

/**
 * One museum object as Quire describes it in LIDO 1.1: what the catalog record and the batch
 * manifest know, nothing invented. The same shape serves a package's METS (one record per
 * object the batch names) and the catalog's LIDO export.
 */
export interface LidoObject {
  /** lidoRecID: the contributor's prefix and the record's local id (`<source>:<accession>`). */
  recordId: string;
  /** Who contributes the record (lidoRecID source, recordSource): the organisation's name. */
  source: string;
  /** Object / work type, as catalogued; "Object" when nothing more is known. */
  workType: string;
  title: string;
  inscriptions: string[];
  /** The creation event, where known. */
  creator?: string;
  /** Free text as catalogued ("1887", "circa 1900"). */
  date?: string;
  /** The holding institution (repositoryName) and the object's number there (workID). */
  repository: string;
  accessionNumber: string;
  /** A rightsstatements.org or Creative Commons URI, or free text. */
  rightsStatement: string;
  creditLine?: string;
  /**
   * Digital representations to link. Empty for restricted or embargoed objects, so the record
   * never points at images the public may not see (the IIIF manifest follows the same rule).
   */
  resources: LidoResource[];
}

export interface LidoResource {
  /** Where the representation is: a URL, or a path inside the package for its access copies. */
  link: string;
  /** e.g. "image/jpeg". */
  mimeType: string;
  /** LIDO resourceType term, e.g. "image". */
  type: string;
  /** resourceRepresentation type, e.g. "image_master", "image_thumb", "provided_image". */
  representation: string;
  label?: string;
}

/** True when the object's images may be linked publicly today (the IIIF rule). */
export function mayLinkResources(
  record: { access_tier: 'public' | 'research' | 'restricted'; embargo_date?: string | null },
  today: string,
): boolean {
  return effectiveAccess(record, today).iiifPublic;
}

/** A catalog record as a LIDO object (the catalog's export). */
export function lidoObjectFromCatalog(
  record: StoredAsset,
  options: { source: string; repository: string; today: string },
): LidoObject {
  return {
    recordId: `${options.source}:${record.accession_number}`,
    source: options.source,
    workType: 'Object',
    title: record.title,
    inscriptions: [],
    repository: options.repository,
    accessionNumber: record.accession_number,
    rightsStatement: record.rights_statement,
    resources: mayLinkResources(record, options.today)
      ? [
          {
            link: record.media_url,
            mimeType: mimeFromUrl(record.media_url),
            type: 'image',
            representation: 'provided_image',
          },
        ]
      : [],
  };
}

function mimeFromUrl(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  const known: Record<string, string> = {
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    tif: 'image/tiff',
    tiff: 'image/tiff',
    jp2: 'image/jp2',
    webp: 'image/webp',
  };
  return (ext && known[ext]) || 'image';
}

/**
 * Characters XML 1.0 cannot carry at all (C0 controls other than tab, newline and carriage
 * return; U+FFFE/U+FFFF; unpaired surrogates). xmlbuilder2 drops some and passes others
 * through, so either way the record would not say what the catalog says: refuse it instead.
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why this object cannot make a valid LIDO record, or an empty list when it can. */
export function lidoProblems(object: LidoObject): string[] {
  const problems: string[] = [];
  const texts: [string, string | undefined][] = [
    ['record id', object.recordId],
    ['source', object.source],
    ['work type', object.workType],
    ['title', object.title],
    ['creator', object.creator],
    ['date', object.date],
    ['repository', object.repository],
    ['accession number', object.accessionNumber],
    ['rights statement', object.rightsStatement],
    ['credit line', object.creditLine],
    ...object.inscriptions.map((text, i): [string, string] => [`inscription ${i + 1}`, text]),
    ...object.resources.map((r, i): [string, string] => [`resource ${i + 1} link`, r.link]),
  ];
  for (const [field, value] of texts) {
    if (value === undefined) continue;
    if (NOT_XML.test(value)) problems.push(`${field} holds a character XML cannot carry`);
  }
  for (const [field, value] of [
    ['record id', object.recordId],
    ['title', object.title],
    ['work type', object.workType],
    ['repository', object.repository],
    ['accession number', object.accessionNumber],
    ['rights statement', object.rightsStatement],
  ] as const)
    if (value.trim() === '') problems.push(`${field} is empty`);
  return problems;
}
