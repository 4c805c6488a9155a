import { create } from 'xmlbuilder2';
import type { MasterFormat, ScanSource } from '../device';
import { FORMAT_MIME } from './capabilities';
import { NS } from './xml';

export interface EsclScanSettings {
  source: ScanSource;
  colorMode: string;
  dpi: number;
  format: MasterFormat;
  /** The region in 1/300 inch, from the origin. */
  width: number;
  height: number;
}

/**
 * The ScanSettings body of POST ScanJobs. The format is sent both as pwg:DocumentFormat (eSCL
 * 1.x) and scan:DocumentFormatExt (2.x, which some devices need for anything but JPEG/PDF).
 */
export function scanSettingsXml(s: EsclScanSettings): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const root = doc
    .ele(NS.scan, 'scan:ScanSettings')
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:pwg', NS.pwg)
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:scan', NS.scan);
  root.ele(NS.pwg, 'pwg:Version').txt('2.0');
  const region = root.ele(NS.pwg, 'pwg:ScanRegions').ele(NS.pwg, 'pwg:ScanRegion');
  region.ele(NS.pwg, 'pwg:ContentRegionUnits').txt('escl:ThreeHundredthsOfInches');
  region.ele(NS.pwg, 'pwg:XOffset').txt('0');
  region.ele(NS.pwg, 'pwg:YOffset').txt('0');
  region.ele(NS.pwg, 'pwg:Width').txt(String(s.width));
  region.ele(NS.pwg, 'pwg:Height').txt(String(s.height));
  root.ele(NS.pwg, 'pwg:InputSource').txt(s.source === 'flatbed' ? 'Platen' : 'Feeder');
  if (s.source !== 'flatbed') root.ele(NS.scan, 'scan:Duplex').txt(String(s.source === 'duplex'));
  root.ele(NS.scan, 'scan:ColorMode').txt(s.colorMode);
  root.ele(NS.pwg, 'pwg:DocumentFormat').txt(FORMAT_MIME[s.format]);
  root.ele(NS.scan, 'scan:DocumentFormatExt').txt(FORMAT_MIME[s.format]);
  root.ele(NS.scan, 'scan:XResolution').txt(String(s.dpi));
  root.ele(NS.scan, 'scan:YResolution').txt(String(s.dpi));
  return doc.end({ prettyPrint: false });
}
