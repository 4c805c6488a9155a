import { create } from 'xmlbuilder2';
import type { AuditEvent } from '../../../shared/contract/index';
import {
  appendPremisAgent,
  appendPremisEvent,
  eventAgents,
  leaf,
  PREMIS_NS,
  XMLNS_NS,
  XSI_NS,
  type PremisAgent,
  type XmlCursor,
} from '../../audit/premis-xml';
import type { BagFile, CaptureInfo, FileUse, PackagePageInput } from './package-input';

/** A file of the package as PREMIS describes it. */
export interface PremisFile {
  file: BagFile;
  use: FileUse;
  /** Technical facts of a master, recorded as significant properties. */
  tech?: Pick<PackagePageInput, 'width' | 'height' | 'dpi' | 'mode' | 'bitDepth' | 'capturedAt'>;
  /** The master a derivative was made from (its href). */
  derivedFrom?: string;
}

export const objectId = (batchId: string, href: string) => `${batchId}/${href}`;

const FORMAT_VERSION: Record<string, string> = {
  'image/tiff': '6.0',
  'image/jpeg': '1.02',
  'image/png': '1.2',
};

/** `<premis:object xsi:type="premis:file">` with fixity, size, format, origin and provenance link. */
export function appendFileObject(
  parent: XmlCursor,
  batchId: string,
  f: PremisFile,
  capture: CaptureInfo | undefined,
  software: string,
): void {
  const o = parent.ele(PREMIS_NS, 'premis:object').att(XSI_NS, 'xsi:type', 'premis:file');
  const id = o.ele(PREMIS_NS, 'premis:objectIdentifier');
  leaf(id, 'objectIdentifierType', 'local');
  leaf(id, 'objectIdentifierValue', objectId(batchId, f.file.href));
  id.up();
  if (f.tech) {
    const props: [string, string][] = [
      ['pixel width', String(f.tech.width)],
      ['pixel height', String(f.tech.height)],
      ['resolution (ppi)', String(f.tech.dpi)],
      ['colour mode', f.tech.mode],
      ['bits per sample', String(f.tech.bitDepth)],
    ];
    for (const [type, value] of props) {
      const sp = o.ele(PREMIS_NS, 'premis:significantProperties');
      leaf(sp, 'significantPropertiesType', type);
      leaf(sp, 'significantPropertiesValue', value);
      sp.up();
    }
  }
  const ch = o.ele(PREMIS_NS, 'premis:objectCharacteristics');
  leaf(ch, 'compositionLevel', '0');
  const fixity = ch.ele(PREMIS_NS, 'premis:fixity');
  leaf(fixity, 'messageDigestAlgorithm', 'SHA-256');
  leaf(fixity, 'messageDigest', f.file.sha256);
  leaf(fixity, 'messageDigestOriginator', f.use === 'MASTER' ? `${software} (at capture)` : software);
  fixity.up();
  leaf(ch, 'size', String(f.file.bytes));
  const designation = ch.ele(PREMIS_NS, 'premis:format').ele(PREMIS_NS, 'premis:formatDesignation');
  leaf(designation, 'formatName', f.file.mimeType);
  const version = FORMAT_VERSION[f.file.mimeType];
  if (version) leaf(designation, 'formatVersion', version);
  designation.up().up();
  const app = ch.ele(PREMIS_NS, 'premis:creatingApplication');
  if (f.use === 'MASTER' && capture) {
    leaf(
      app,
      'creatingApplicationName',
      `scanner ${capture.device}${capture.serial ? ` (serial ${capture.serial})` : ''}`,
    );
    if (capture.firmware) leaf(app, 'creatingApplicationVersion', capture.firmware);
  } else leaf(app, 'creatingApplicationName', software);
  if (f.tech?.capturedAt) leaf(app, 'dateCreatedByApplication', f.tech.capturedAt);
  app.up();
  ch.up();
  if (f.derivedFrom) {
    const rel = o.ele(PREMIS_NS, 'premis:relationship');
    leaf(rel, 'relationshipType', 'derivation');
    leaf(rel, 'relationshipSubType', 'has source');
    const related = rel.ele(PREMIS_NS, 'premis:relatedObjectIdentifier');
    leaf(related, 'relatedObjectIdentifierType', 'local');
    leaf(related, 'relatedObjectIdentifierValue', objectId(batchId, f.derivedFrom));
    related.up();
    rel.up();
  }
  o.up();
}

/** The batch as a PREMIS intellectual entity, the object most batch-level events link to. */
export function appendBatchEntity(parent: XmlCursor, batchId: string): void {
  const o = parent.ele(PREMIS_NS, 'premis:object').att(XSI_NS, 'xsi:type', 'premis:intellectualEntity');
  const id = o.ele(PREMIS_NS, 'premis:objectIdentifier');
  leaf(id, 'objectIdentifierType', 'local');
  leaf(id, 'objectIdentifierValue', batchId);
  id.up();
  o.up();
}

/** Events, then the agents they link (PREMIS order: objects, events, agents). */
export function appendEventsAndAgents(parent: XmlCursor, events: AuditEvent[]): void {
  const agents = new Map<string, PremisAgent>();
  for (const e of events) {
    appendPremisEvent(parent, e);
    for (const { agent } of eventAgents(e)) agents.set(agent.id, agent);
  }
  for (const agent of agents.values()) appendPremisAgent(parent, agent);
}

export interface PackagePremisInput {
  batchId: string;
  files: PremisFile[];
  events: AuditEvent[];
  capture?: CaptureInfo;
  software: string;
}

/** Fills a `<premis:premis>` element: the batch, every file, the events and their agents. */
export function appendPackagePremis(premis: XmlCursor, input: PackagePremisInput): void {
  appendBatchEntity(premis, input.batchId);
  for (const f of input.files) appendFileObject(premis, input.batchId, f, input.capture, input.software);
  appendEventsAndAgents(premis, input.events);
}

/** The package's standalone PREMIS 3 document (metadata/premis.xml). */
export function buildPackagePremis(input: PackagePremisInput): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(PREMIS_NS, 'premis:premis')
    .att(XMLNS_NS, 'xmlns:xsi', XSI_NS)
    .att('version', '3.0');
  appendPackagePremis(root as unknown as XmlCursor, input);
  return root.end({ prettyPrint: true });
}
