import type { AuditEvent } from '../../../shared/contract/index';
import type { LidoObject } from '../../catalog/lido/lido-object';

/**
 * Everything the packager needs to know about a completed batch. Deliberately independent of the
 * batch manifest schema and the batch store: the pipeline maps its records onto this.
 */
export interface PackageInput {
  /** A safe id (1–64 of A–Z a–z 0–9 . _ -): the package folder's name and the METS OBJID. */
  batchId: string;
  descriptive: DescriptiveMetadata;
  /**
   * METS and PREMIS batches get MODS as their descriptive record; DublinCore batches get OAI-DC;
   * LIDO batches get one LIDO record per object (`lido`).
   */
  metadataSchema: 'METS' | 'PREMIS' | 'DublinCore' | 'MODS' | 'LIDO';
  /** LIDO batches: the objects described, without resources (the packager links its access copies). */
  lido?: LidoObject[];
  /** In page order or not: the structMap is sorted by `page`. */
  pages: PackagePageInput[];
  capture: CaptureInfo;
  /** The batch's audit events (the batch and its files), oldest first, as the log stored them. */
  events: AuditEvent[];
  /** Where access copies will be served; the IIIF manifest's ids are built from it. */
  iiifBaseUrl?: string;
  /** Other files to carry in the bag (e.g. metadata/technical.json), by path under data/. */
  extraFiles?: { source: string; href: string }[];
  /**
   * The OCR engine that wrote the pages' ALTO, when the batch had OCR: the audit event of the
   * OCR run (eventId) is given the engine as its executing program in the package's PREMIS.
   */
  ocr?: { engine: string; version: string; eventId: string | null };
}

export interface DescriptiveMetadata {
  title: string;
  creator?: string;
  /** Free text as catalogued ("1887", "circa 1900"). */
  date?: string;
  /** A rights statement: free text, or a rightsstatements.org / Creative Commons URI. */
  rightsStatement: string;
  accessTier: 'public' | 'research' | 'restricted';
  /** YYYY-MM-DD; until then the batch is treated as restricted. */
  embargoDate?: string | null;
  accessionNumbers: string[];
}

export interface PackagePageInput {
  /** 1-based page number. */
  page: number;
  masterPath: string;
  /** SHA-256 recorded at capture: the packager refuses a master that no longer matches it. */
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  dpi: number;
  mode: 'color' | 'gray' | 'bw';
  bitDepth: number;
  capturedAt?: string;
  /** Access JPEG, thumbnail JPEG and XMP sidecar, when made. */
  accessPath?: string | null;
  thumbnailPath?: string | null;
  sidecarPath?: string | null;
  /** OCR: the page's ALTO 4.4 (METS FULLTEXT) and its plain text, when made. */
  altoPath?: string | null;
  textPath?: string | null;
}

export interface CaptureInfo {
  /** The scanner's fleet name. */
  device: string;
  serial?: string;
  firmware?: string;
  /** The operator's username. */
  operator: string;
  organization: string;
  station?: string;
  colourProfile?: string;
}

/** A file as it will sit in the bag (path under data/). */
export interface BagFile {
  href: string;
  bytes: number;
  sha256: string;
  mimeType: string;
}

export type FileUse = 'MASTER' | 'ACCESS' | 'THUMBNAIL' | 'SIDECAR' | 'FULLTEXT';

export interface PlannedPage {
  page: number;
  input: PackagePageInput;
  files: Partial<Record<FileUse, BagFile>>;
}

export const pageName = (page: number) => `page-${String(page).padStart(4, '0')}`;

/** A master's media type from its extension: the format the scanner really sent. */
export const MASTER_MIME: Record<string, string> = {
  '.tif': 'image/tiff',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.pdf': 'application/pdf',
};

export function masterMimeType(masterPath: string): string {
  const ext = masterPath.slice(masterPath.lastIndexOf('.')).toLowerCase();
  const mime = MASTER_MIME[ext];
  if (!mime) throw new Error(`${masterPath} is no master format Quire packages (tif, png, jpg, pdf)`);
  return mime;
}

/** Masters: see masterMimeType (the master's own format); derivatives are always these. */
export const MIME: Record<FileUse, string> = {
  MASTER: 'image/tiff',
  ACCESS: 'image/jpeg',
  THUMBNAIL: 'image/jpeg',
  SIDECAR: 'application/rdf+xml',
  // text/xml, as the DFG-Viewer and Kitodo expect of a FULLTEXT file.
  FULLTEXT: 'text/xml',
};

/** Where each kind of file goes inside data/. */
export const BAG_PATHS: Record<FileUse, (page: number, masterPath?: string) => string> = {
  /** A master keeps its real format's extension in the bag. */
  MASTER: (p, masterPath) =>
    `masters/${pageName(p)}${masterPath ? masterPath.slice(masterPath.lastIndexOf('.')).toLowerCase() : '.tif'}`,
  ACCESS: (p) => `access/${pageName(p)}.jpg`,
  THUMBNAIL: (p) => `thumbnails/${pageName(p)}.jpg`,
  SIDECAR: (p) => `metadata/${pageName(p)}.xmp`,
  FULLTEXT: (p) => `alto/${pageName(p)}.xml`,
};

/** The plain text of a page's OCR, beside its ALTO: in the bag, not in METS. */
export const TEXT_PATH = (page: number) => `text/${pageName(page)}.txt`;

/** True when the batch may be shown publicly today (public tier, embargo over). */
export function isPubliclyAvailable(d: DescriptiveMetadata, today: string): boolean {
  return d.accessTier === 'public' && !(d.embargoDate && d.embargoDate > today);
}
