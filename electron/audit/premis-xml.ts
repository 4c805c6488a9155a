import { create } from 'xmlbuilder2';
import type { AuditEvent } from '../../shared/contract/index';

export const PREMIS_NS = 'http://www.loc.gov/premis/v3';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

const FORMATS: Record<string, string> = {
  tif: 'image/tiff',
  jpg: 'image/jpeg',
  xmp: 'application/rdf+xml',
  xml: 'text/xml',
  json: 'application/json',
};
const VOCAB = 'http://id.loc.gov/vocabulary/preservation/eventType';

/** PREMIS 3 events and their agents; built with xmlbuilder2 (escaping and namespaces handled). */
export function premisEventsXml(events: AuditEvent[]): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(PREMIS_NS, 'premis', { version: '3.0' })
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:xsi', XSI_NS);
  appendPremisObjects(root, [...new Set(events.map((e) => e.object))]);
  appendPremisEvents(root, events);
  return root.end({ prettyPrint: true });
}

type XmlNode = ReturnType<ReturnType<typeof create>['ele']>;

/**
 * The objects the events link to: a batch as an intellectual entity, a file as a PREMIS file
 * object with its format (fixity is recorded by the package's own PREMIS objects).
 */
export function appendPremisObjects(parent: XmlNode, objects: string[]): void {
  for (const object of objects) {
    const extension = object.includes('/') ? (object.split('.').pop() ?? '') : '';
    const isFile = extension in FORMATS;
    const o = parent.ele(PREMIS_NS, 'object').att(XSI_NS, 'xsi:type', isFile ? 'file' : 'intellectualEntity');
    const id = o.ele(PREMIS_NS, 'objectIdentifier');
    id.ele(PREMIS_NS, 'objectIdentifierType').txt('local');
    id.ele(PREMIS_NS, 'objectIdentifierValue').txt(object);
    if (isFile) {
      const characteristics = o.ele(PREMIS_NS, 'objectCharacteristics');
      characteristics
        .ele(PREMIS_NS, 'format')
        .ele(PREMIS_NS, 'formatDesignation')
        .ele(PREMIS_NS, 'formatName')
        .txt(FORMATS[extension]!);
    }
  }
}

/** Adds <event> and <agent> elements (PREMIS order: objects, events, agents) under `parent`. */
export function appendPremisEvents(parent: XmlNode, events: AuditEvent[]): void {
  const agents = new Map<string, { name: string; type: string }>();
  for (const e of events) {
    const ev = parent.ele(PREMIS_NS, 'event');
    const id = ev.ele(PREMIS_NS, 'eventIdentifier');
    id.ele(PREMIS_NS, 'eventIdentifierType').txt('UUID');
    id.ele(PREMIS_NS, 'eventIdentifierValue').txt(e.id);
    ev.ele(PREMIS_NS, 'eventType', { authority: 'eventType', authorityURI: VOCAB }).txt(e.type);
    ev.ele(PREMIS_NS, 'eventDateTime').txt(e.at);
    ev.ele(PREMIS_NS, 'eventDetailInformation').ele(PREMIS_NS, 'eventDetail').txt(e.detail);
    const outcome = ev.ele(PREMIS_NS, 'eventOutcomeInformation');
    outcome.ele(PREMIS_NS, 'eventOutcome').txt(e.outcome);
    outcome
      .ele(PREMIS_NS, 'eventOutcomeDetail')
      .ele(PREMIS_NS, 'eventOutcomeDetailNote')
      .txt(`chain ${e.prevHash} → ${e.hash}`);
    for (const [role, name, type] of [
      ['executing program', e.agents.software, 'software'],
      ['implementer', e.agents.station, 'organization'],
      ['authorizer', e.agents.person, 'person'],
    ] as const) {
      agents.set(name, { name, type });
      const link = ev.ele(PREMIS_NS, 'linkingAgentIdentifier');
      link.ele(PREMIS_NS, 'linkingAgentIdentifierType').txt('local');
      link.ele(PREMIS_NS, 'linkingAgentIdentifierValue').txt(name);
      link.ele(PREMIS_NS, 'linkingAgentRole').txt(role);
    }
    const obj = ev.ele(PREMIS_NS, 'linkingObjectIdentifier');
    obj.ele(PREMIS_NS, 'linkingObjectIdentifierType').txt('local');
    obj.ele(PREMIS_NS, 'linkingObjectIdentifierValue').txt(e.object);
  }
  for (const agent of agents.values()) {
    const a = parent.ele(PREMIS_NS, 'agent');
    const id = a.ele(PREMIS_NS, 'agentIdentifier');
    id.ele(PREMIS_NS, 'agentIdentifierType').txt('local');
    id.ele(PREMIS_NS, 'agentIdentifierValue').txt(agent.name);
    a.ele(PREMIS_NS, 'agentName').txt(agent.name);
    a.ele(PREMIS_NS, 'agentType').txt(agent.type);
  }
}
