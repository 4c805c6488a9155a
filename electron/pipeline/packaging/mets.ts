import { create } from 'xmlbuilder2';
import type { AuditEvent } from '../../../shared/contract/index';
import { PREMIS_NS, XMLNS_NS, XSI_NS, type XmlCursor } from '../../audit/premis-xml';
import type { LidoObject } from '../../catalog/lido/lido-object';
import { appendLido } from '../../catalog/lido/lido-xml';
import { appendDublinCore, appendMods, openDescriptiveRoot } from './descriptive';
import type { CaptureInfo, DescriptiveMetadata, FileUse, PackagePageInput } from './package-input';
import { appendFileObject, appendPackagePremis, type PremisFile } from './premis';

const METS_NS = 'http://www.loc.gov/METS/';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

export interface PackageFile {
  /** Path relative to the METS document (which sits at the top of data/), forward slashes. */
  href: string;
  bytes: number;
  sha256: string;
  mimeType: string;
}

export interface PackagePage {
  page: number;
  master: PackageFile;
  access: PackageFile | null;
  thumbnail: PackageFile | null;
  sidecar?: PackageFile | null;
  /** The page's ALTO (fileGrp USE="FULLTEXT"), when the batch had OCR. */
  fulltext?: PackageFile | null;
  tech?: Pick<PackagePageInput, 'width' | 'height' | 'dpi' | 'mode' | 'bitDepth' | 'capturedAt'>;
}

export type Descriptive = Omit<DescriptiveMetadata, 'accessTier'> & { accessTier: string };

export interface MetsInput {
  batchId: string;
  createdAt: string;
  software: string;
  schema: 'MODS' | 'DublinCore' | 'DC' | 'LIDO';
  descriptive: Descriptive;
  /** LIDO batches: one record per object the batch names, each in its own dmdSec. */
  lido?: LidoObject[];
  pages: PackagePage[];
  events: AuditEvent[];
  capture?: CaptureInfo;
}

const pad = (n: number) => String(n).padStart(4, '0');
const USES: FileUse[] = ['MASTER', 'ACCESS', 'THUMBNAIL', 'SIDECAR', 'FULLTEXT'];
const pick = (p: PackagePage, use: FileUse): PackageFile | null =>
  ({
    MASTER: p.master,
    ACCESS: p.access,
    THUMBNAIL: p.thumbnail,
    SIDECAR: p.sidecar ?? null,
    FULLTEXT: p.fulltext ?? null,
  })[use];
const fileId = (use: FileUse, page: number) => `${use}-${pad(page)}`;
const techId = (use: FileUse, page: number) => `TECH-${use}-${pad(page)}`;

/** Small helper: a METS child element, closed, returning the parent. */
const metsAgent = (hdr: XmlCursor, role: string, type: string, name: string, otherType?: string) => {
  const agent = hdr.ele(METS_NS, 'mets:agent').att(null, 'ROLE', role).att(null, 'TYPE', type);
  if (otherType) agent.att(null, 'OTHERTYPE', otherType);
  agent.ele(METS_NS, 'mets:name').txt(name).up();
  agent.up();
};

const dmdWrap = (root: XmlCursor, id: string, mdType: string): XmlCursor =>
  root
    .ele(METS_NS, 'mets:dmdSec')
    .att(null, 'ID', id)
    .ele(METS_NS, 'mets:mdWrap')
    .att(null, 'MDTYPE', mdType)
    .ele(METS_NS, 'mets:xmlData');

/**
 * The descriptive sections; returns their ids. MODS and Dublin Core describe the batch in one
 * record. A LIDO batch has one LIDO record per object (the METS profile driver validates the
 * METS around them laxly, as it does not load LIDO: the packaging tests validate each embedded
 * record separately against the official LIDO 1.1 schema).
 */
function appendDmdSecs(root: XmlCursor, input: MetsInput, pages: readonly PackagePage[]): string[] {
  if (input.schema === 'LIDO') {
    const objects = input.lido ?? [];
    if (objects.length === 0) throw new Error(`LIDO batch ${input.batchId} has no object to describe`);
    return objects.map((object, i) => {
      const id = `DMD${i + 1}`;
      const xmlData = dmdWrap(root, id, 'LIDO');
      appendLido(xmlData, object);
      xmlData.up().up().up();
      return id;
    });
  }
  const schema = input.schema === 'MODS' ? 'MODS' : 'DC';
  const xmlData = dmdWrap(root, 'DMD1', schema);
  const record = openDescriptiveRoot(xmlData, schema);
  const ctx = {
    pages: pages.length,
    masterMediaTypes: pages.map((p) => p.master.mimeType),
    organization: input.capture?.organization,
    software: input.software,
    createdAt: input.createdAt,
  };
  const d = input.descriptive;
  const described = { ...d, accessTier: d.accessTier as DescriptiveMetadata['accessTier'] };
  if (schema === 'MODS') appendMods(record, described, ctx);
  else appendDublinCore(record, described, ctx);
  record.up().up().up().up();
  return ['DMD1'];
}

/**
 * METS 1.12.1 for a package: dmdSec (MODS, Dublin Core or LIDO), amdSec (a PREMIS object per file
 * with its fixity, and the batch's PREMIS events and agents), fileSec (masters, access copies,
 * thumbnails, sidecars and, after OCR, FULLTEXT: one ALTO per page) and a physical structMap
 * in page order, each page's division pointing at its files (image and ALTO). Valid against the official
 * schemas through standards/driver/mets-profile-driver.xsd.
 */
export function buildMets(input: MetsInput): string {
  const pages = [...input.pages].sort((a, b) => a.page - b.page);
  const d = input.descriptive;
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const root = (doc as unknown as XmlCursor)
    .ele(METS_NS, 'mets:mets')
    .att(XMLNS_NS, 'xmlns:xlink', XLINK_NS)
    .att(XMLNS_NS, 'xmlns:xsi', XSI_NS)
    .att(XMLNS_NS, 'xmlns:premis', PREMIS_NS)
    .att(null, 'OBJID', input.batchId)
    .att(null, 'LABEL', d.title)
    .att(null, 'TYPE', 'digitized batch');

  const hdr = root.ele(METS_NS, 'mets:metsHdr').att(null, 'CREATEDATE', input.createdAt);
  metsAgent(hdr, 'CREATOR', 'OTHER', input.software, 'SOFTWARE');
  if (input.capture) {
    metsAgent(hdr, 'CUSTODIAN', 'ORGANIZATION', input.capture.organization);
    metsAgent(hdr, 'CREATOR', 'INDIVIDUAL', input.capture.operator);
  }
  hdr.up();

  const dmdIds = appendDmdSecs(root, input, pages);

  const amd = root.ele(METS_NS, 'mets:amdSec').att(null, 'ID', 'AMD1');
  for (const p of pages) {
    for (const use of USES) {
      const file = pick(p, use);
      if (!file) continue;
      const premisFile: PremisFile = {
        file,
        use,
        ...(use === 'MASTER' && p.tech ? { tech: p.tech } : {}),
        ...(use !== 'MASTER' ? { derivedFrom: p.master.href } : {}),
      };
      const objectData = amd
        .ele(METS_NS, 'mets:techMD')
        .att(null, 'ID', techId(use, p.page))
        .ele(METS_NS, 'mets:mdWrap')
        .att(null, 'MDTYPE', 'PREMIS:OBJECT')
        .att(null, 'MDTYPEVERSION', '3.0')
        .ele(METS_NS, 'mets:xmlData');
      appendFileObject(objectData, input.batchId, premisFile, input.capture, input.software);
      objectData.up().up().up();
    }
  }
  const premis = amd
    .ele(METS_NS, 'mets:digiprovMD')
    .att(null, 'ID', 'PROV1')
    .ele(METS_NS, 'mets:mdWrap')
    .att(null, 'MDTYPE', 'PREMIS')
    .att(null, 'MDTYPEVERSION', '3.0')
    .ele(METS_NS, 'mets:xmlData')
    .ele(PREMIS_NS, 'premis:premis')
    .att(null, 'version', '3.0');
  appendPackagePremis(premis, {
    batchId: input.batchId,
    files: [],
    events: input.events,
    capture: input.capture,
    software: input.software,
  });
  premis.up().up().up().up();
  amd.up();

  const fileSec = root.ele(METS_NS, 'mets:fileSec');
  for (const use of USES) {
    const files = pages.flatMap((p) => {
      const f = pick(p, use);
      return f ? [{ page: p.page, file: f }] : [];
    });
    if (files.length === 0) continue;
    const grp = fileSec.ele(METS_NS, 'mets:fileGrp').att(null, 'USE', use);
    for (const { page, file } of files) {
      grp
        .ele(METS_NS, 'mets:file')
        .att(null, 'ID', fileId(use, page))
        .att(null, 'MIMETYPE', file.mimeType)
        .att(null, 'SIZE', String(file.bytes))
        .att(null, 'CHECKSUM', file.sha256)
        .att(null, 'CHECKSUMTYPE', 'SHA-256')
        .att(null, 'ADMID', techId(use, page))
        .ele(METS_NS, 'mets:FLocat')
        .att(null, 'LOCTYPE', 'URL')
        .att(XLINK_NS, 'xlink:href', file.href)
        .up()
        .up();
    }
    grp.up();
  }
  fileSec.up();

  const book = root
    .ele(METS_NS, 'mets:structMap')
    .att(null, 'TYPE', 'physical')
    .ele(METS_NS, 'mets:div')
    .att(null, 'TYPE', 'book')
    .att(null, 'DMDID', dmdIds.join(' '))
    .att(null, 'ADMID', 'PROV1')
    .att(null, 'LABEL', d.title);
  pages.forEach((p, index) => {
    const div = book
      .ele(METS_NS, 'mets:div')
      .att(null, 'TYPE', 'page')
      .att(null, 'ORDER', String(index + 1))
      .att(null, 'ORDERLABEL', String(p.page))
      .att(null, 'LABEL', `Page ${p.page}`);
    for (const use of USES)
      if (pick(p, use)) div.ele(METS_NS, 'mets:fptr').att(null, 'FILEID', fileId(use, p.page)).up();
    div.up();
  });
  book.up().up();
  root.up();
  return doc.end({ prettyPrint: true });
}
