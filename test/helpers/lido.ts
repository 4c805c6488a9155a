import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { LIDO_NS } from '../../electron/catalog/lido/lido-xml';
import { validateXml } from './xmllint';

export const LIDO_SCHEMA = 'lido/nfdi4objects-bundle/lido-v1.1.xsd';

/**
 * Every `<lido:lido>` inside a document (METS carries them in mdWrap/xmlData), each as a
 * standalone lidoWrap ready for the official schema: the METS profile driver does not load
 * LIDO, so embedded records are validated on their own.
 */
export function embeddedLidoDocuments(xml: string): string[] {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const records = doc.getElementsByTagNameNS(LIDO_NS, 'lido');
  const serializer = new XMLSerializer();
  return Array.from({ length: records.length }, (_, i) => {
    const record = serializer.serializeToString(records.item(i)!);
    return `<?xml version="1.0" encoding="UTF-8"?>\n<lido:lidoWrap xmlns:lido="${LIDO_NS}">${record}</lido:lidoWrap>\n`;
  });
}

/** xmllint's verdict on a LIDO document against the official LIDO 1.1 schema, offline. */
export function validateLido(xml: string): { valid: boolean; output: string } {
  return validateXml(xml, LIDO_SCHEMA);
}
