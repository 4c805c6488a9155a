import { create } from 'xmlbuilder2';
import { XMLNS_NS, type XmlCursor } from '../../audit/premis-xml';
import type { DescriptiveMetadata } from './package-input';

export const MODS_NS = 'http://www.loc.gov/mods/v3';
export const OAI_DC_NS = 'http://www.openarchives.org/OAI/2.0/oai_dc/';
export const DC_NS = 'http://purl.org/dc/elements/1.1/';

export interface DescriptiveContext {
  pages: number;
  organization?: string;
  software: string;
  /** ISO date-time of the record's creation. */
  createdAt: string;
  /** The masters' media types, as captured (default: TIFF). */
  masterMediaTypes?: string[];
}

const mediaTypes = (ctx: DescriptiveContext) =>
  ctx.masterMediaTypes?.length ? [...new Set(ctx.masterMediaTypes)].sort() : ['image/tiff'];

function restriction(d: DescriptiveMetadata): string {
  const tier = { public: 'Public', research: 'Research use only', restricted: 'Restricted' }[d.accessTier];
  return d.embargoDate ? `${tier}; embargoed until ${d.embargoDate}` : tier;
}

const add = (parent: XmlCursor, ns: string, name: string, text: string) =>
  parent.ele(ns, name).txt(text).up();

/** MODS 3.8 record content under a `<mods:mods>` element (standalone or inside METS). */
export function appendMods(mods: XmlCursor, d: DescriptiveMetadata, ctx: DescriptiveContext): void {
  add(mods.ele(MODS_NS, 'mods:titleInfo'), MODS_NS, 'mods:title', d.title).up();
  if (d.creator) {
    const name = mods.ele(MODS_NS, 'mods:name');
    add(name, MODS_NS, 'mods:namePart', d.creator);
    const role = name.ele(MODS_NS, 'mods:role');
    role
      .ele(MODS_NS, 'mods:roleTerm')
      .att(null, 'type', 'text')
      .att(null, 'authority', 'marcrelator')
      .txt('Creator')
      .up();
    role.up();
    name.up();
  }
  if (d.date) add(mods.ele(MODS_NS, 'mods:originInfo'), MODS_NS, 'mods:dateCreated', d.date).up();
  const physical = mods.ele(MODS_NS, 'mods:physicalDescription');
  for (const type of mediaTypes(ctx)) add(physical, MODS_NS, 'mods:internetMediaType', type);
  add(physical, MODS_NS, 'mods:extent', `${ctx.pages} ${ctx.pages === 1 ? 'page' : 'pages'}`);
  add(physical, MODS_NS, 'mods:digitalOrigin', 'reformatted digital');
  physical.up();
  for (const accession of d.accessionNumbers)
    mods.ele(MODS_NS, 'mods:identifier').att(null, 'type', 'accession number').txt(accession).up();
  mods
    .ele(MODS_NS, 'mods:accessCondition')
    .att(null, 'type', 'use and reproduction')
    .txt(d.rightsStatement)
    .up();
  mods
    .ele(MODS_NS, 'mods:accessCondition')
    .att(null, 'type', 'restriction on access')
    .txt(restriction(d))
    .up();
  const record = mods.ele(MODS_NS, 'mods:recordInfo');
  if (ctx.organization) add(record, MODS_NS, 'mods:recordContentSource', ctx.organization);
  record.ele(MODS_NS, 'mods:recordCreationDate').att(null, 'encoding', 'iso8601').txt(ctx.createdAt).up();
  add(record, MODS_NS, 'mods:recordOrigin', `Created by ${ctx.software} from the batch manifest`);
  record.up();
}

/** Simple Dublin Core elements under an `<oai_dc:dc>` element. */
export function appendDublinCore(dc: XmlCursor, d: DescriptiveMetadata, ctx: DescriptiveContext): void {
  add(dc, DC_NS, 'dc:title', d.title);
  if (d.creator) add(dc, DC_NS, 'dc:creator', d.creator);
  if (d.date) add(dc, DC_NS, 'dc:date', d.date);
  add(dc, DC_NS, 'dc:type', 'Image');
  for (const type of mediaTypes(ctx)) add(dc, DC_NS, 'dc:format', type);
  add(dc, DC_NS, 'dc:format', `${ctx.pages} ${ctx.pages === 1 ? 'page' : 'pages'}`);
  for (const accession of d.accessionNumbers) add(dc, DC_NS, 'dc:identifier', accession);
  add(dc, DC_NS, 'dc:rights', d.rightsStatement);
  add(dc, DC_NS, 'dc:rights', restriction(d));
  if (ctx.organization) add(dc, DC_NS, 'dc:publisher', ctx.organization);
}

/** Opens the descriptive root element (MODS or OAI-DC) under `parent` (a document or mdWrap/xmlData). */
export function openDescriptiveRoot(parent: XmlCursor, schema: 'MODS' | 'DC'): XmlCursor {
  return schema === 'MODS'
    ? parent.ele(MODS_NS, 'mods:mods').att(null, 'version', '3.8')
    : parent.ele(OAI_DC_NS, 'oai_dc:dc').att(XMLNS_NS, 'xmlns:dc', DC_NS);
}

/** The standalone descriptive record (metadata/mods.xml or metadata/dc.xml). */
export function buildDescriptiveRecord(
  schema: 'MODS' | 'DC',
  d: DescriptiveMetadata,
  ctx: DescriptiveContext,
): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const root = openDescriptiveRoot(doc as unknown as XmlCursor, schema);
  if (schema === 'MODS') appendMods(root, d, ctx);
  else appendDublinCore(root, d, ctx);
  return doc.end({ prettyPrint: true });
}

/**
 * METS and PREMIS batches get MODS as their descriptive record; DublinCore batches get DC;
 * LIDO batches get LIDO (built in catalog/lido, one record per object).
 */
export const descriptiveSchemaFor = (metadataSchema: string): 'MODS' | 'DC' | 'LIDO' =>
  metadataSchema === 'DublinCore' ? 'DC' : metadataSchema === 'LIDO' ? 'LIDO' : 'MODS';
