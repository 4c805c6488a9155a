import type { Element } from '@xmldom/xmldom';
import type { BitDepth, DeviceCapabilities, MasterFormat, ScanMode, ScanSource } from '../device';
import { at, child, children, descendants, intAt, parseRoot, text, textAt } from './xml';

/** eSCL colour modes Quire can ask for, with the mode and bit depth each one means. */
export const COLOR_MODES: Record<string, { mode: ScanMode; bitDepth: BitDepth }> = {
  BlackAndWhite1: { mode: 'bw', bitDepth: 1 },
  Grayscale8: { mode: 'gray', bitDepth: 8 },
  Grayscale16: { mode: 'gray', bitDepth: 16 },
  RGB24: { mode: 'color', bitDepth: 8 },
  RGB48: { mode: 'color', bitDepth: 16 },
};

export const FORMAT_MIME: Record<MasterFormat, string> = {
  tiff: 'image/tiff',
  png: 'image/png',
  jpeg: 'image/jpeg',
  pdf: 'application/pdf',
};

export function formatOfMime(mime: string): MasterFormat | null {
  const base = mime.split(';')[0]!.trim().toLowerCase();
  const hit = (Object.entries(FORMAT_MIME) as [MasterFormat, string][]).find(([, m]) => m === base);
  return hit?.[0] ?? null;
}

/** Resolutions a range is expanded to: the steps scanning software commonly offers. */
const COMMON_DPI = [75, 100, 150, 200, 240, 300, 400, 600, 1200, 2400];

/** One input source as the device describes it (sizes in 1/300 inch, eSCL's unit). */
export interface SourceCaps {
  source: ScanSource;
  colorModes: string[];
  formats: MasterFormat[];
  /** Every MIME type offered, including ones Quire does not keep as masters. */
  mimeTypes: string[];
  resolutions: number[];
  maxWidth: number;
  maxHeight: number;
}

export interface EsclCapabilities {
  make: string;
  model: string;
  serial: string;
  firmware: string;
  uuid: string | null;
  sources: SourceCaps[];
}

function resolutionsOf(caps: Element): number[] {
  const found = new Set<number>();
  for (const d of descendants(caps, 'DiscreteResolution')) {
    const x = intAt(d, 'XResolution');
    const y = intAt(d, 'YResolution');
    if (x !== null && (y === null || y === x)) found.add(x);
  }
  for (const range of descendants(caps, 'XResolutionRange')) {
    const min = intAt(range, 'Min');
    const max = intAt(range, 'Max');
    const step = intAt(range, 'Step') ?? 1;
    if (min === null || max === null) continue;
    for (const dpi of COMMON_DPI)
      if (dpi >= min && dpi <= max && (step <= 1 || (dpi - min) % step === 0)) found.add(dpi);
  }
  return [...found].sort((a, b) => a - b);
}

function sourceCaps(source: ScanSource, caps: Element): SourceCaps {
  const colorModes = new Set<string>();
  const mimeTypes = new Set<string>();
  for (const profile of descendants(caps, 'SettingProfile')) {
    for (const m of descendants(profile, 'ColorMode')) {
      const value = text(m);
      if (value) colorModes.add(value);
    }
    const formats = child(profile, 'DocumentFormats');
    if (formats)
      for (const f of [...children(formats, 'DocumentFormat'), ...children(formats, 'DocumentFormatExt')]) {
        const value = text(f);
        if (value) mimeTypes.add(value.toLowerCase());
      }
  }
  const formats = (['tiff', 'png', 'jpeg', 'pdf'] as MasterFormat[]).filter((f) =>
    mimeTypes.has(FORMAT_MIME[f]),
  );
  return {
    source,
    colorModes: [...colorModes],
    formats,
    mimeTypes: [...mimeTypes],
    resolutions: resolutionsOf(caps),
    maxWidth: intAt(caps, 'MaxWidth') ?? 0,
    maxHeight: intAt(caps, 'MaxHeight') ?? 0,
  };
}

/** Reads ScannerCapabilities; identity comes from the device, never from a constant. */
export function parseCapabilities(xml: string): EsclCapabilities {
  const root = parseRoot(xml, 'ScannerCapabilities');
  const sources: SourceCaps[] = [];
  const platen = at(root, 'Platen', 'PlatenInputCaps');
  if (platen) sources.push(sourceCaps('flatbed', platen));
  const adf = child(root, 'Adf');
  if (adf) {
    const simplex = child(adf, 'AdfSimplexInputCaps');
    const duplex = child(adf, 'AdfDuplexInputCaps');
    if (simplex) sources.push(sourceCaps('feeder', simplex));
    const duplexOption = descendants(adf, 'AdfOption').some((o) => text(o) === 'Duplex');
    if (duplex) sources.push(sourceCaps('duplex', duplex));
    else if (duplexOption && simplex) sources.push(sourceCaps('duplex', simplex));
  }
  const makeAndModel = textAt(root, 'MakeAndModel') ?? 'unknown eSCL scanner';
  const manufacturer = textAt(root, 'Manufacturer');
  const make = manufacturer ?? makeAndModel.split(/\s+/)[0]!;
  const model =
    manufacturer && makeAndModel.toLowerCase().startsWith(manufacturer.toLowerCase())
      ? makeAndModel.slice(manufacturer.length).trim() || makeAndModel
      : manufacturer
        ? makeAndModel
        : makeAndModel.slice(make.length).trim() || makeAndModel;
  return {
    make,
    model,
    serial: textAt(root, 'SerialNumber') ?? '',
    firmware: textAt(root, 'FirmwareVersion') ?? textAt(root, 'Firmware') ?? '',
    uuid: textAt(root, 'UUID'),
    sources,
  };
}

const THREE_HUNDREDTHS_TO_MM = 25.4 / 300;

/** The driver-neutral view: what any source can do, the largest area any source scans. */
export function toDeviceCapabilities(caps: EsclCapabilities): DeviceCapabilities {
  const modes = new Set<ScanMode>();
  const depths = new Set<BitDepth>();
  for (const s of caps.sources)
    for (const m of s.colorModes) {
      const known = COLOR_MODES[m];
      if (known) {
        modes.add(known.mode);
        depths.add(known.bitDepth);
      }
    }
  const widest = Math.max(0, ...caps.sources.map((s) => s.maxWidth));
  const tallest = Math.max(0, ...caps.sources.map((s) => s.maxHeight));
  const order: MasterFormat[] = ['tiff', 'png', 'jpeg', 'pdf'];
  return {
    sources: caps.sources.map((s) => s.source),
    modes: (['color', 'gray', 'bw'] as ScanMode[]).filter((m) => modes.has(m)),
    bitDepths: ([1, 8, 16] as BitDepth[]).filter((d) => depths.has(d)),
    resolutions: [...new Set(caps.sources.flatMap((s) => s.resolutions))].sort((a, b) => a - b),
    formats: order.filter((f) => caps.sources.some((s) => s.formats.includes(f))),
    maxArea:
      widest > 0 && tallest > 0
        ? {
            widthMm: Math.round(widest * THREE_HUNDREDTHS_TO_MM * 10) / 10,
            heightMm: Math.round(tallest * THREE_HUNDREDTHS_TO_MM * 10) / 10,
          }
        : null,
  };
}
