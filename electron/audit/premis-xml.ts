import { createCB } from 'xmlbuilder2';
import type { AuditEvent } from '../../shared/contract/index';

export const PREMIS_NS = 'http://www.loc.gov/premis/v3';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const EVENT_TYPE_AUTHORITY = 'http://id.loc.gov/vocabulary/preservation/eventType';
const AGENT_ROLE_AUTHORITY = 'http://id.loc.gov/vocabulary/preservation/eventRelatedAgentRole';

/**
 * What the PREMIS builders need from xmlbuilder2: both the document builder (METS) and the
 * streaming callback builder (exports) fit it. Builders always close what they open (`up()`),
 * because the streaming builder writes elements out as it goes.
 */
export interface XmlCursor {
  ele(namespace: string, name: string): XmlCursor;
  att(namespace: string | null, name: string, value: string): XmlCursor;
  txt(content: string): XmlCursor;
  up(): XmlCursor;
}

/** Adds `<premis:name>text</premis:name>` and stays on the parent. */
export function leaf(parent: XmlCursor, name: string, text: string): XmlCursor {
  return parent.ele(PREMIS_NS, `premis:${name}`).txt(text).up();
}

export type AgentKind = 'software' | 'organization' | 'person';

export interface PremisAgent {
  /** The local identifier value: its kind and name, so a person cannot collide with a station. */
  id: string;
  kind: AgentKind;
  name: string;
  version?: string;
}

/**
 * The agents of an event, with their PREMIS roles. The person 'system' is not linked: the
 * station's own automatic work is already attributed to the software and the station.
 */
export function eventAgents(e: AuditEvent): { agent: PremisAgent; role: string }[] {
  const software = /^(.*\S)\s+(\d[^\s]*)$/.exec(e.agents.software);
  const links: { agent: PremisAgent; role: string }[] = [
    {
      agent: {
        id: `software:${e.agents.software}`,
        kind: 'software',
        name: software?.[1] ?? e.agents.software,
        ...(software ? { version: software[2]! } : {}),
      },
      role: 'executing program',
    },
    {
      agent: { id: `station:${e.agents.station}`, kind: 'organization', name: e.agents.station },
      role: 'implementer',
    },
  ];
  if (e.agents.person !== 'system')
    links.push({
      agent: { id: `person:${e.agents.person}`, kind: 'person', name: e.agents.person },
      role: 'authorizer',
    });
  return links;
}

/** One `<premis:event>` with its linked agents and object. */
export function appendPremisEvent(parent: XmlCursor, e: AuditEvent): void {
  const ev = parent.ele(PREMIS_NS, 'premis:event');
  const id = ev.ele(PREMIS_NS, 'premis:eventIdentifier');
  leaf(id, 'eventIdentifierType', 'UUID');
  leaf(id, 'eventIdentifierValue', e.id);
  id.up();
  ev.ele(PREMIS_NS, 'premis:eventType')
    .att(null, 'authority', 'eventType')
    .att(null, 'authorityURI', EVENT_TYPE_AUTHORITY)
    .txt(e.type)
    .up();
  leaf(ev, 'eventDateTime', e.at);
  leaf(ev.ele(PREMIS_NS, 'premis:eventDetailInformation'), 'eventDetail', e.detail).up();
  const outcome = ev.ele(PREMIS_NS, 'premis:eventOutcomeInformation');
  leaf(outcome, 'eventOutcome', e.outcome);
  // The chain link travels with the export, so a repository can re-check the sequence.
  const detail = outcome.ele(PREMIS_NS, 'premis:eventOutcomeDetail');
  leaf(detail, 'eventOutcomeDetailNote', `audit log event ${e.seq}; previous ${e.prevHash}; hash ${e.hash}`);
  detail.up();
  outcome.up();
  for (const { agent, role } of eventAgents(e)) {
    const link = ev.ele(PREMIS_NS, 'premis:linkingAgentIdentifier');
    leaf(link, 'linkingAgentIdentifierType', 'local');
    leaf(link, 'linkingAgentIdentifierValue', agent.id);
    link
      .ele(PREMIS_NS, 'premis:linkingAgentRole')
      .att(null, 'authority', 'eventRelatedAgentRole')
      .att(null, 'authorityURI', AGENT_ROLE_AUTHORITY)
      .txt(role)
      .up();
    link.up();
  }
  const obj = ev.ele(PREMIS_NS, 'premis:linkingObjectIdentifier');
  leaf(obj, 'linkingObjectIdentifierType', 'local');
  leaf(obj, 'linkingObjectIdentifierValue', e.object);
  obj.up();
  ev.up();
}

export function appendPremisAgent(parent: XmlCursor, agent: PremisAgent): void {
  const a = parent.ele(PREMIS_NS, 'premis:agent');
  const id = a.ele(PREMIS_NS, 'premis:agentIdentifier');
  leaf(id, 'agentIdentifierType', 'local');
  leaf(id, 'agentIdentifierValue', agent.id);
  id.up();
  leaf(a, 'agentName', agent.name);
  leaf(a, 'agentType', agent.kind);
  if (agent.version) leaf(a, 'agentVersion', agent.version);
  a.up();
}

const FILE_FORMATS: Record<string, string> = {
  tif: 'image/tiff',
  tiff: 'image/tiff',
  jpg: 'image/jpeg',
  jp2: 'image/jp2',
  xmp: 'application/rdf+xml',
  xml: 'text/xml',
  json: 'application/json',
};

/**
 * An object an audit event links to, as far as the log knows it: a file (`B1/masters/….tif`)
 * with its format, or otherwise an intellectual entity (a batch). The package's own PREMIS
 * carries the files' fixity and size.
 */
export function appendLinkedObject(parent: XmlCursor, object: string): void {
  const ext = object.includes('/') ? (object.split('.').pop() ?? '').toLowerCase() : '';
  const format = FILE_FORMATS[ext];
  const o = parent
    .ele(PREMIS_NS, 'premis:object')
    .att(XSI_NS, 'xsi:type', format ? 'premis:file' : 'premis:intellectualEntity');
  const id = o.ele(PREMIS_NS, 'premis:objectIdentifier');
  leaf(id, 'objectIdentifierType', 'local');
  leaf(id, 'objectIdentifierValue', object);
  id.up();
  if (format) {
    const ch = o.ele(PREMIS_NS, 'premis:objectCharacteristics');
    leaf(ch.ele(PREMIS_NS, 'premis:format').ele(PREMIS_NS, 'premis:formatDesignation'), 'formatName', format)
      .up()
      .up();
    ch.up();
  }
  o.up();
}

/**
 * A standalone PREMIS 3 document written in pieces: objects first, then events page by page,
 * then the agents met along the way (the schema's order). `sink` receives the text as it is
 * produced, so an export of a long log never holds the whole document in memory.
 */
export class PremisStreamWriter {
  private readonly doc: ReturnType<typeof createCB>;
  private readonly root: XmlCursor;
  private readonly agents = new Map<string, PremisAgent>();
  private ended = false;

  constructor(sink: (chunk: string) => void) {
    const doc = createCB({ data: sink, prettyPrint: true });
    doc.dec({ version: '1.0', encoding: 'UTF-8' });
    this.root = doc
      .ele(PREMIS_NS, 'premis:premis')
      .att(XMLNS_NS, 'xmlns:xsi', XSI_NS)
      .att(null, 'version', '3.0') as unknown as XmlCursor;
    this.doc = doc;
  }

  objects(objects: Iterable<string>): void {
    for (const o of objects) appendLinkedObject(this.root, o);
  }

  events(events: Iterable<AuditEvent>): void {
    for (const e of events) {
      appendPremisEvent(this.root, e);
      for (const { agent } of eventAgents(e)) this.agents.set(agent.id, agent);
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const agent of this.agents.values()) appendPremisAgent(this.root, agent);
    this.root.up();
    this.doc.end();
  }
}

/** The whole document as a string: for short lists (a batch's events, a console download). */
export function premisEventsXml(events: AuditEvent[]): string {
  const chunks: string[] = [];
  const writer = new PremisStreamWriter((c) => chunks.push(c));
  writer.objects(new Set(events.map((e) => e.object)));
  writer.events(events);
  writer.end();
  return chunks.join('');
}
