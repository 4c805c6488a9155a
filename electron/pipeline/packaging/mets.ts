import { create } from 'xmlbuilder2';
import type { AuditEvent } from '../../../shared/contract/index';
import { appendPremisEvents, PREMIS_NS } from '../../audit/premis-xml';

const NS = {
  mets: 'http://www.loc.gov/METS/',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  mods: 'http://www.loc.gov/mods/v3',
  oai: 'http://www.openarchives.org/OAI/2.0/oai_dc/',
  dc: 'http://purl.org/dc/elements/1.1/',
  xmlns: 'http://www.w3.org/2000/xmlns/',
};

export interface PackageFile {
  /** Path inside the bag's data/ folder, with forward slashes. */
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
}

export interface Descriptive {
  title: string;
  creator?: string;
  date?: string;
  rightsStatement: string;
  accessTier: string;
  embargoDate?: string | null;
  accessionNumbers: string[];
}

export interface MetsInput {
  batchId: string;
  createdAt: string;
  software: string;
  schema: 'MODS' | 'DublinCore';
  descriptive: Descriptive;
  pages: PackagePage[];
  events: AuditEvent[];
}

const pad = (n: number) => String(n).padStart(4, '0');

/** METS 1.12.1 with embedded MODS or Dublin Core and PREMIS, built with xmlbuilder2. */
export function buildMets(input: MetsInput): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(NS.mets, 'mets:mets')
    .att(NS.xmlns, 'xmlns:xlink', NS.xlink)
    .att(NS.xmlns, 'xmlns:xsi', NS.xsi)
    .att(NS.xmlns, 'xmlns:premis', PREMIS_NS)
    .att('OBJID', input.batchId)
    .att('LABEL', input.descriptive.title)
    .att('TYPE', 'digitized batch');
  const hdr = root.ele(NS.mets, 'mets:metsHdr').att('CREATEDATE', input.createdAt);
  hdr
    .ele(NS.mets, 'mets:agent')
    .att('ROLE', 'CREATOR')
    .att('TYPE', 'OTHER')
    .att('OTHERTYPE', 'SOFTWARE')
    .ele(NS.mets, 'mets:name')
    .txt(input.software);

  const dmdWrap = root.ele(NS.mets, 'mets:dmdSec').att('ID', 'DMD1').ele(NS.mets, 'mets:mdWrap');
  if (input.schema === 'DublinCore') {
    const dc = dmdWrap
      .att('MDTYPE', 'DC')
      .ele(NS.mets, 'mets:xmlData')
      .ele(NS.oai, 'oai_dc:dc')
      .att(NS.xmlns, 'xmlns:dc', NS.dc);
    dc.ele(NS.dc, 'dc:title').txt(input.descriptive.title);
    if (input.descriptive.creator) dc.ele(NS.dc, 'dc:creator').txt(input.descriptive.creator);
    if (input.descriptive.date) dc.ele(NS.dc, 'dc:date').txt(input.descriptive.date);
    dc.ele(NS.dc, 'dc:type').txt('Text');
    for (const acc of input.descriptive.accessionNumbers) dc.ele(NS.dc, 'dc:identifier').txt(acc);
    dc.ele(NS.dc, 'dc:rights').txt(input.descriptive.rightsStatement);
  } else {
    const mods = dmdWrap
      .att('MDTYPE', 'MODS')
      .ele(NS.mets, 'mets:xmlData')
      .ele(NS.mods, 'mods:mods')
      .att('version', '3.8');
    mods.ele(NS.mods, 'mods:titleInfo').ele(NS.mods, 'mods:title').txt(input.descriptive.title);
    if (input.descriptive.creator) {
      const name = mods.ele(NS.mods, 'mods:name');
      name.ele(NS.mods, 'mods:namePart').txt(input.descriptive.creator);
      name.ele(NS.mods, 'mods:role').ele(NS.mods, 'mods:roleTerm').att('type', 'text').txt('creator');
    }
    if (input.descriptive.date)
      mods.ele(NS.mods, 'mods:originInfo').ele(NS.mods, 'mods:dateCreated').txt(input.descriptive.date);
    for (const acc of input.descriptive.accessionNumbers)
      mods.ele(NS.mods, 'mods:identifier').att('type', 'accession number').txt(acc);
    mods
      .ele(NS.mods, 'mods:accessCondition')
      .att('type', 'use and reproduction')
      .txt(input.descriptive.rightsStatement);
    const restriction = input.descriptive.embargoDate
      ? `${input.descriptive.accessTier}; embargoed until ${input.descriptive.embargoDate}`
      : input.descriptive.accessTier;
    mods.ele(NS.mods, 'mods:accessCondition').att('type', 'restriction on access').txt(restriction);
  }

  const amd = root.ele(NS.mets, 'mets:amdSec').att('ID', 'AMD1');
  for (const p of input.pages) {
    const object = amd
      .ele(NS.mets, 'mets:techMD')
      .att('ID', `TECH-${pad(p.page)}`)
      .ele(NS.mets, 'mets:mdWrap')
      .att('MDTYPE', 'PREMIS:OBJECT')
      .ele(NS.mets, 'mets:xmlData')
      .ele(PREMIS_NS, 'premis:object')
      .att(NS.xsi, 'xsi:type', 'premis:file');
    const id = object.ele(PREMIS_NS, 'premis:objectIdentifier');
    id.ele(PREMIS_NS, 'premis:objectIdentifierType').txt('local');
    id.ele(PREMIS_NS, 'premis:objectIdentifierValue').txt(`${input.batchId}/${p.master.href}`);
    const characteristics = object.ele(PREMIS_NS, 'premis:objectCharacteristics');
    const fixity = characteristics.ele(PREMIS_NS, 'premis:fixity');
    fixity.ele(PREMIS_NS, 'premis:messageDigestAlgorithm').txt('SHA-256');
    fixity.ele(PREMIS_NS, 'premis:messageDigest').txt(p.master.sha256);
    fixity.ele(PREMIS_NS, 'premis:messageDigestOriginator').txt('scanner (verified by Quire at capture)');
    characteristics.ele(PREMIS_NS, 'premis:size').txt(String(p.master.bytes));
    characteristics
      .ele(PREMIS_NS, 'premis:format')
      .ele(PREMIS_NS, 'premis:formatDesignation')
      .ele(PREMIS_NS, 'premis:formatName')
      .txt('image/tiff');
  }
  if (input.events.length > 0) {
    const provenance = amd
      .ele(NS.mets, 'mets:digiprovMD')
      .att('ID', 'PROV1')
      .ele(NS.mets, 'mets:mdWrap')
      .att('MDTYPE', 'PREMIS')
      .ele(NS.mets, 'mets:xmlData');
    const premis = provenance.ele(PREMIS_NS, 'premis:premis').att('version', '3.0');
    const objects = [...new Set(input.events.map((e) => e.object))];
    for (const objectId of objects) {
      const o = premis.ele(PREMIS_NS, 'premis:object').att(NS.xsi, 'xsi:type', 'premis:intellectualEntity');
      const id = o.ele(PREMIS_NS, 'premis:objectIdentifier');
      id.ele(PREMIS_NS, 'premis:objectIdentifierType').txt('local');
      id.ele(PREMIS_NS, 'premis:objectIdentifierValue').txt(objectId);
    }
    appendPremisEvents(premis, input.events);
  }

  const fileSec = root.ele(NS.mets, 'mets:fileSec');
  const groups: Array<['MASTER' | 'ACCESS' | 'THUMBNAIL', (p: PackagePage) => PackageFile | null]> = [
    ['MASTER', (p) => p.master],
    ['ACCESS', (p) => p.access],
    ['THUMBNAIL', (p) => p.thumbnail],
  ];
  for (const [use, pick] of groups) {
    const files = input.pages.flatMap((p) => {
      const f = pick(p);
      return f ? [{ page: p.page, file: f }] : [];
    });
    if (files.length === 0) continue;
    const grp = fileSec.ele(NS.mets, 'mets:fileGrp').att('USE', use);
    for (const { page, file } of files) {
      const el = grp
        .ele(NS.mets, 'mets:file')
        .att('ID', `${use}-${pad(page)}`)
        .att('MIMETYPE', file.mimeType)
        .att('SIZE', String(file.bytes))
        .att('CHECKSUM', file.sha256)
        .att('CHECKSUMTYPE', 'SHA-256');
      if (use === 'MASTER') el.att('ADMID', `TECH-${pad(page)}`);
      el.ele(NS.mets, 'mets:FLocat').att('LOCTYPE', 'URL').att(NS.xlink, 'xlink:href', file.href);
    }
  }

  const book = root
    .ele(NS.mets, 'mets:structMap')
    .att('TYPE', 'physical')
    .ele(NS.mets, 'mets:div')
    .att('TYPE', 'volume')
    .att('DMDID', 'DMD1')
    .att('LABEL', input.descriptive.title);
  for (const p of [...input.pages].sort((a, b) => a.page - b.page)) {
    const div = book
      .ele(NS.mets, 'mets:div')
      .att('TYPE', 'page')
      .att('ORDER', String(p.page))
      .att('LABEL', `Page ${p.page}`);
    for (const [use, pick] of groups)
      if (pick(p)) div.ele(NS.mets, 'mets:fptr').att('FILEID', `${use}-${pad(p.page)}`);
  }
  return root.end({ prettyPrint: true });
}
