import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';

const PWG = 'http://www.pwg.org/schemas/2010/12/sm';
const SCAN = 'http://schemas.hp.com/imaging/escl/2011/05/03';

export const SIM_COLOR_MODES = ['BlackAndWhite1', 'Grayscale8', 'Grayscale16', 'RGB24', 'RGB48'];
export const SIM_RESOLUTIONS = [75, 100, 150, 200, 300, 600];

export interface SimIdentity {
  make: string;
  model: string;
  serial: string;
  firmware: string;
  uuid: string;
  /** MIME types offered for every source. */
  formats: string[];
  /** Largest page in 1/300 inch. */
  maxWidth: number;
  maxHeight: number;
}

function root(name: string): { doc: XMLBuilder; el: XMLBuilder } {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const el = doc
    .ele(SCAN, `scan:${name}`)
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:pwg', PWG)
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:scan', SCAN);
  return { doc, el };
}

function inputCaps(parent: XMLBuilder, name: string, id: SimIdentity): void {
  const caps = parent.ele(SCAN, `scan:${name}`);
  caps.ele(SCAN, 'scan:MinWidth').txt('16');
  caps.ele(SCAN, 'scan:MaxWidth').txt(String(id.maxWidth));
  caps.ele(SCAN, 'scan:MinHeight').txt('16');
  caps.ele(SCAN, 'scan:MaxHeight').txt(String(id.maxHeight));
  caps.ele(SCAN, 'scan:MaxScanRegions').txt('1');
  const profile = caps.ele(SCAN, 'scan:SettingProfiles').ele(SCAN, 'scan:SettingProfile');
  const modes = profile.ele(SCAN, 'scan:ColorModes');
  for (const m of SIM_COLOR_MODES) modes.ele(SCAN, 'scan:ColorMode').txt(m);
  const formats = profile.ele(SCAN, 'scan:DocumentFormats');
  for (const f of id.formats) formats.ele(PWG, 'pwg:DocumentFormat').txt(f);
  for (const f of id.formats) formats.ele(SCAN, 'scan:DocumentFormatExt').txt(f);
  const discrete = profile.ele(SCAN, 'scan:SupportedResolutions').ele(SCAN, 'scan:DiscreteResolutions');
  for (const dpi of SIM_RESOLUTIONS) {
    const r = discrete.ele(SCAN, 'scan:DiscreteResolution');
    r.ele(SCAN, 'scan:XResolution').txt(String(dpi));
    r.ele(SCAN, 'scan:YResolution').txt(String(dpi));
  }
  profile.ele(SCAN, 'scan:ColorSpaces').ele(SCAN, 'scan:ColorSpace').txt('sRGB');
  const intents = caps.ele(SCAN, 'scan:SupportedIntents');
  for (const i of ['Document', 'Photo', 'Preview', 'TextAndGraphic']) intents.ele(SCAN, 'scan:Intent').txt(i);
  caps.ele(SCAN, 'scan:MaxOpticalXResolution').txt('600');
  caps.ele(SCAN, 'scan:MaxOpticalYResolution').txt('600');
}

export function capabilitiesXml(id: SimIdentity, root_: string): string {
  const { doc, el } = root('ScannerCapabilities');
  el.ele(PWG, 'pwg:Version').txt('2.63');
  el.ele(PWG, 'pwg:MakeAndModel').txt(`${id.make} ${id.model}`);
  el.ele(SCAN, 'scan:Manufacturer').txt(id.make);
  el.ele(PWG, 'pwg:SerialNumber').txt(id.serial);
  el.ele(SCAN, 'scan:FirmwareVersion').txt(id.firmware);
  el.ele(SCAN, 'scan:UUID').txt(id.uuid);
  el.ele(SCAN, 'scan:AdminURI').txt(`${root_}/admin`);
  inputCaps(el.ele(SCAN, 'scan:Platen'), 'PlatenInputCaps', id);
  const adf = el.ele(SCAN, 'scan:Adf');
  inputCaps(adf, 'AdfSimplexInputCaps', id);
  inputCaps(adf, 'AdfDuplexInputCaps', id);
  adf.ele(SCAN, 'scan:FeederCapacity').txt('50');
  const options = adf.ele(SCAN, 'scan:AdfOptions');
  options.ele(SCAN, 'scan:AdfOption').txt('DetectPaperLoaded');
  options.ele(SCAN, 'scan:AdfOption').txt('Duplex');
  return doc.end({ prettyPrint: true });
}

export interface SimJobView {
  uri: string;
  uuid: string;
  state: 'Pending' | 'Processing' | 'Completed' | 'Canceled' | 'Aborted';
  reason: string;
  imagesCompleted: number;
  imagesToTransfer: number;
  ageSeconds: number;
}

export function statusXml(state: string, adfState: string, jobs: SimJobView[]): string {
  const { doc, el } = root('ScannerStatus');
  el.ele(PWG, 'pwg:Version').txt('2.63');
  el.ele(PWG, 'pwg:State').txt(state);
  el.ele(SCAN, 'scan:AdfState').txt(adfState);
  const list = el.ele(SCAN, 'scan:Jobs');
  for (const job of jobs) {
    const info = list.ele(SCAN, 'scan:JobInfo');
    info.ele(PWG, 'pwg:JobUri').txt(job.uri);
    info.ele(PWG, 'pwg:JobUuid').txt(job.uuid);
    info.ele(SCAN, 'scan:Age').txt(String(job.ageSeconds));
    info.ele(PWG, 'pwg:ImagesCompleted').txt(String(job.imagesCompleted));
    info.ele(PWG, 'pwg:ImagesToTransfer').txt(String(job.imagesToTransfer));
    info.ele(PWG, 'pwg:JobState').txt(job.state);
    info.ele(PWG, 'pwg:JobStateReasons').ele(PWG, 'pwg:JobStateReason').txt(job.reason);
  }
  return doc.end({ prettyPrint: true });
}
