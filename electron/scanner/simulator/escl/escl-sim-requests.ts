import type http from 'node:http';
import { DOMParser, type Element } from '@xmldom/xmldom';

const PWG = 'http://www.pwg.org/schemas/2010/12/sm';
const SCAN = 'http://schemas.hp.com/imaging/escl/2011/05/03';

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function drain(req: http.IncomingMessage): Promise<void> {
  for await (const _ of req) void _;
}

export interface ParsedSettings {
  source: 'Platen' | 'Feeder';
  duplex: boolean;
  colorMode: string;
  dpi: number;
  format: string | null;
  width: number | null;
  height: number | null;
}

/** ScanSettings read by namespace URI, as a real device must (clients choose their own prefixes). */
export function parseSettings(body: string): ParsedSettings | string {
  let root: Element | null;
  try {
    root = new DOMParser().parseFromString(body, 'text/xml').documentElement;
  } catch (error) {
    return `ScanSettings does not parse: ${(error as Error).message}`;
  }
  if (!root || root.localName !== 'ScanSettings' || root.namespaceURI !== SCAN)
    return 'expected scan:ScanSettings';
  const value = (ns: string, name: string) =>
    root.getElementsByTagNameNS(ns, name)[0]?.textContent?.trim() ?? null;
  const number = (ns: string, name: string) => {
    const v = value(ns, name);
    return v === null ? null : Number(v);
  };
  return {
    source: value(PWG, 'InputSource') === 'Feeder' ? 'Feeder' : 'Platen',
    duplex: value(SCAN, 'Duplex') === 'true',
    colorMode: value(SCAN, 'ColorMode') ?? 'RGB24',
    dpi: number(SCAN, 'XResolution') ?? 300,
    format: value(SCAN, 'DocumentFormatExt') ?? value(PWG, 'DocumentFormat'),
    width: number(PWG, 'Width'),
    height: number(PWG, 'Height'),
  };
}
