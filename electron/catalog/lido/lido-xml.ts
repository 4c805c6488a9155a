import { create } from 'xmlbuilder2';
import { XMLNS_NS, type XmlCursor } from '../../audit/premis-xml';
import type { LidoObject } from './lido-object';

export const LIDO_NS = 'http://www.lido-schema.org';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const LIDO_SCHEMA_LOCATION = 'http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd';

/** A rights statement that is a URI goes to conceptID; free text only to the term. */
const RIGHTS_URI = /^https?:\/\/\S+$/;

/** `<lido:name>text</lido:name>` under parent; returns the parent. */
function leaf(parent: XmlCursor, name: string, text: string): XmlCursor {
  return parent.ele(LIDO_NS, `lido:${name}`).txt(text).up();
}

function term(parent: XmlCursor, name: string, text: string): XmlCursor {
  return leaf(parent.ele(LIDO_NS, `lido:${name}`), 'term', text).up();
}

function legalBody(parent: XmlCursor, name: string, body: string): XmlCursor {
  const el = parent.ele(LIDO_NS, `lido:${name}`).ele(LIDO_NS, 'lido:legalBodyName');
  leaf(el, 'appellationValue', body);
  return el.up().up();
}

function identifier(parent: XmlCursor, name: string, type: string, value: string, source?: string): void {
  const el = parent.ele(LIDO_NS, `lido:${name}`).att(LIDO_NS, 'lido:type', type);
  if (source) el.att(LIDO_NS, 'lido:source', source);
  el.txt(value).up();
}

function descriptive(lido: XmlCursor, o: LidoObject, lang: string): void {
  const d = lido.ele(LIDO_NS, 'lido:descriptiveMetadata').att(XML_NS, 'xml:lang', lang);
  const classification = d.ele(LIDO_NS, 'lido:objectClassificationWrap');
  term(classification.ele(LIDO_NS, 'lido:objectWorkTypeWrap'), 'objectWorkType', o.workType).up();
  classification.up();

  const identification = d.ele(LIDO_NS, 'lido:objectIdentificationWrap');
  const titleSet = identification.ele(LIDO_NS, 'lido:titleWrap').ele(LIDO_NS, 'lido:titleSet');
  leaf(titleSet, 'appellationValue', o.title).up().up();
  if (o.inscriptions.length > 0) {
    const wrap = identification.ele(LIDO_NS, 'lido:inscriptionsWrap');
    for (const text of o.inscriptions)
      leaf(wrap.ele(LIDO_NS, 'lido:inscriptions'), 'inscriptionTranscription', text).up();
    wrap.up();
  }
  const repository = identification.ele(LIDO_NS, 'lido:repositoryWrap').ele(LIDO_NS, 'lido:repositorySet');
  legalBody(repository, 'repositoryName', o.repository);
  identifier(repository, 'workID', 'inventory number', o.accessionNumber);
  repository.up().up();
  identification.up();

  if (o.creator || o.date) {
    const event = d.ele(LIDO_NS, 'lido:eventWrap').ele(LIDO_NS, 'lido:eventSet').ele(LIDO_NS, 'lido:event');
    const type = event.ele(LIDO_NS, 'lido:eventType');
    type
      .ele(LIDO_NS, 'lido:conceptID')
      .att(LIDO_NS, 'lido:type', 'URI')
      .txt('http://terminology.lido-schema.org/lido00012')
      .up();
    leaf(type, 'term', 'Creation').up();
    if (o.creator) {
      const actor = event
        .ele(LIDO_NS, 'lido:eventActor')
        .ele(LIDO_NS, 'lido:actorInRole')
        .ele(LIDO_NS, 'lido:actor');
      leaf(actor.ele(LIDO_NS, 'lido:nameActorSet'), 'appellationValue', o.creator).up();
      actor.up().up().up();
    }
    if (o.date) leaf(event.ele(LIDO_NS, 'lido:eventDate'), 'displayDate', o.date).up();
    event.up().up().up();
  }
  d.up();
}

function rightsSet(parent: XmlCursor, name: string, o: LidoObject): void {
  const set = parent.ele(LIDO_NS, `lido:${name}`);
  const type = set.ele(LIDO_NS, 'lido:rightsType');
  if (RIGHTS_URI.test(o.rightsStatement))
    type.ele(LIDO_NS, 'lido:conceptID').att(LIDO_NS, 'lido:type', 'URI').txt(o.rightsStatement).up();
  leaf(type, 'term', o.rightsStatement).up();
  if (o.creditLine) leaf(set, 'creditLine', o.creditLine);
  set.up();
}

function administrative(lido: XmlCursor, o: LidoObject, lang: string): void {
  const a = lido.ele(LIDO_NS, 'lido:administrativeMetadata').att(XML_NS, 'xml:lang', lang);
  rightsSet(a.ele(LIDO_NS, 'lido:rightsWorkWrap'), 'rightsWorkSet', o);
  a.up();
  const record = a.ele(LIDO_NS, 'lido:recordWrap');
  identifier(record, 'recordID', 'local', o.accessionNumber, o.source);
  term(record, 'recordType', 'item');
  legalBody(record, 'recordSource', o.source);
  record.up();
  if (o.resources.length > 0) {
    const wrap = a.ele(LIDO_NS, 'lido:resourceWrap');
    for (const r of o.resources) {
      const set = wrap.ele(LIDO_NS, 'lido:resourceSet');
      const representation = set
        .ele(LIDO_NS, 'lido:resourceRepresentation')
        .att(LIDO_NS, 'lido:type', r.representation);
      representation
        .ele(LIDO_NS, 'lido:linkResource')
        .att(LIDO_NS, 'lido:formatResource', r.mimeType)
        .txt(r.link)
        .up();
      representation.up();
      term(set, 'resourceType', r.type);
      if (r.label) leaf(set, 'resourceDescription', r.label);
      rightsSet(set, 'rightsResource', o);
      set.up();
    }
    wrap.up();
  }
  a.up();
}

/**
 * One `<lido:lido>` record under parent (a METS mdWrap/xmlData, or a lidoWrap). The caller
 * checks lidoProblems first: this writes what it is given.
 */
export function appendLido(parent: XmlCursor, o: LidoObject, lang = 'en'): void {
  const lido = parent.ele(LIDO_NS, 'lido:lido');
  identifier(lido, 'lidoRecID', 'local', o.recordId, o.source);
  descriptive(lido, o, lang);
  administrative(lido, o, lang);
  lido.up();
}

/** Opens a `<lido:lidoWrap>` under parent (a document), declaring the namespaces it uses. */
export function openLidoWrap(parent: XmlCursor): XmlCursor {
  return parent
    .ele(LIDO_NS, 'lido:lidoWrap')
    .att(XMLNS_NS, 'xmlns:xsi', 'http://www.w3.org/2001/XMLSchema-instance')
    .att(
      'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:schemaLocation',
      `${LIDO_NS} ${LIDO_SCHEMA_LOCATION}`,
    );
}

/** A whole LIDO document: a lidoWrap with one record per object. */
export function buildLidoWrap(objects: LidoObject[], lang = 'en'): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const wrap = openLidoWrap(doc as unknown as XmlCursor);
  for (const o of objects) appendLido(wrap, o, lang);
  return doc.end({ prettyPrint: true });
}

/** One record as a standalone fragment (no XML declaration): the streaming export's unit. */
export function lidoFragment(o: LidoObject, lang = 'en'): string {
  const doc = create();
  appendLido(doc as unknown as XmlCursor, o, lang);
  return doc.end({ headless: true, prettyPrint: true });
}
