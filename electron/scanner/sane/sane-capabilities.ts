import type { BitDepth, DeviceCapabilities, ScanMode, ScanSource } from '../device';
import { acceptsNumber, describeConstraint, type SaneOption } from './sane-options';

/**
 * A SANE backend's options → the driver-neutral capabilities, and a capture's settings → the
 * backend's own option strings. Backends name the same things differently (`ADF Front`,
 * `Automatic Document Feeder`, `Lineart`, `Black & White`), so values are matched by what they
 * say, never assumed.
 */

/** Resolutions a range is expanded to: the steps a lab actually scans at. */
const COMMON_DPI = [50, 75, 100, 150, 200, 240, 300, 400, 600, 800, 1200, 1600, 2400];

const MODE_PATTERNS: Record<ScanMode, RegExp> = {
  color: /colou?r|rgb/i,
  gray: /gr[ae]y|monochrome/i,
  bw: /lineart|line art|binary|black ?(&|and) ?white|halftone|^bw$/i,
};

const SOURCE_PATTERNS: Record<ScanSource, RegExp> = {
  duplex: /duplex/i,
  feeder: /adf|feeder|automatic|sheet/i,
  flatbed: /flatbed|platen|glass|normal/i,
};

export type SaneOptions = ReadonlyMap<string, SaneOption>;

/** `inactive` too for options that only become active with another setting (`adf-mode` with the feeder). */
function listValues(option: SaneOption | undefined, evenInactive = false): string[] {
  return option && (option.active || evenInactive) && option.constraint.kind === 'list'
    ? option.constraint.values
    : [];
}

/** The backend's value for a scan mode, if it has one. */
export function modeValue(options: SaneOptions, mode: ScanMode): string | null {
  const values = listValues(options.get('mode'));
  // `bw` must not match a gray mode (and `gray` not a halftone): the first exact family wins.
  return (
    values.find((v) => MODE_PATTERNS[mode].test(v) && (mode !== 'gray' || !MODE_PATTERNS.bw.test(v))) ?? null
  );
}

/**
 * How to select a source: the `--source` value, plus the feeder's duplex switch on backends
 * that have one (`--adf-mode Duplex`) instead of a duplex source.
 */
export function sourceSetting(
  options: SaneOptions,
  source: ScanSource,
): { source: string | null; extra: string[] } | null {
  const values = listValues(options.get('source'));
  if (values.length === 0) return source === 'flatbed' ? { source: null, extra: [] } : null;
  const feeders = values.filter((v) => SOURCE_PATTERNS.feeder.test(v) && !SOURCE_PATTERNS.duplex.test(v));
  if (source === 'duplex') {
    const duplex = values.find((v) => SOURCE_PATTERNS.duplex.test(v));
    if (duplex) return { source: duplex, extra: [] };
    const adfMode = listValues(options.get('adf-mode'), true).find((v) => SOURCE_PATTERNS.duplex.test(v));
    return adfMode && feeders[0] ? { source: feeders[0], extra: [`--adf-mode=${adfMode}`] } : null;
  }
  if (source === 'feeder') {
    // A simplex feeder reads the front: `ADF Front` before `ADF Back`.
    const front = feeders.find((v) => /front/i.test(v)) ?? feeders.find((v) => !/back/i.test(v));
    return front ? { source: front, extra: [] } : null;
  }
  const flatbed = values.find((v) => SOURCE_PATTERNS.flatbed.test(v));
  return flatbed ? { source: flatbed, extra: [] } : null;
}

/** The neutral capabilities, plus the range of whole dpi a backend takes where it takes any. */
export type SaneCapabilities = DeviceCapabilities & { resolutionRange: { min: number; max: number } | null };

export function capabilitiesOf(options: SaneOptions): SaneCapabilities {
  const sources = (['flatbed', 'feeder', 'duplex'] as const).filter(
    (s) => sourceSetting(options, s) !== null,
  );
  const depthOption = options.get('depth');
  const depths = listValues(depthOption)
    .map(Number)
    .filter((d): d is BitDepth => d === 1 || d === 8 || d === 16);
  const modes = (['color', 'gray', 'bw'] as const).filter(
    (m) =>
      modeValue(options, m) !== null ||
      (m === 'bw' && modeValue(options, 'gray') !== null && depths.includes(1)),
  );
  const bitDepths: BitDepth[] =
    depths.length > 0
      ? depths
      : [...(modes.includes('bw') ? [1 as const] : []), ...(modes.length > 0 ? [8 as const] : [])];
  const resolution = options.get('resolution');
  const resolutions = !resolution
    ? []
    : resolution.constraint.kind === 'list'
      ? resolution.constraint.values.map(Number).filter((d) => Number.isInteger(d) && d > 0)
      : COMMON_DPI.filter((d) => acceptsNumber(resolution, d));
  const capabilities: SaneCapabilities = {
    sources: sources.length > 0 ? sources : ['flatbed'],
    modes: modes.length > 0 ? modes : ['gray'],
    bitDepths: [...new Set(bitDepths)].sort((a, b) => a - b),
    resolutions: [...new Set(resolutions)].sort((a, b) => a - b),
    // A backend that takes any whole dpi in a range says so (the form may offer other values).
    resolutionRange:
      resolution?.constraint.kind === 'range' && resolution.constraint.quant <= 1
        ? { min: Math.ceil(resolution.constraint.min), max: Math.floor(resolution.constraint.max) }
        : null,
    formats: ['tiff'],
    maxArea: areaOf(options),
  };
  return capabilities;
}

function areaOf(options: SaneOptions): DeviceCapabilities['maxArea'] {
  const x = options.get('x');
  const y = options.get('y');
  if (x?.constraint.kind !== 'range' || y?.constraint.kind !== 'range' || x.unit !== 'mm' || y.unit !== 'mm')
    return null;
  return { widthMm: x.constraint.max, heightMm: y.constraint.max };
}

export interface ScanSettings {
  dpi: number;
  mode: ScanMode;
  bitDepth: BitDepth;
  source?: ScanSource;
  /** Backend options passed through (device's own, then the request's). */
  driverOptions: Record<string, string>;
}

/** Options scanimage itself owns: a pass-through must not redirect the output or the device. */
const FRONTEND_OPTIONS = new Set([
  'd',
  'device-name',
  'format',
  'o',
  'output-file',
  'batch',
  'L',
  'A',
  'f',
  'n',
  'T',
]);
/** Set from the scan profile: a pass-through must not make masters differ from their metadata. */
const PROFILE_OPTIONS = new Set(['mode', 'depth', 'resolution', 'x-resolution', 'y-resolution', 'source']);

/**
 * The backend arguments for one batch, or why the device cannot honour the settings. Values
 * are checked exactly against what the backend offers, since scanimage silently rounds a
 * resolution or depth it does not have (a 400 dpi profile must not become 300 dpi masters).
 */
export function scanArguments(
  deviceName: string,
  options: SaneOptions,
  settings: ScanSettings,
): { args: string[]; source: ScanSource } | { error: string } {
  const caps = capabilitiesOf(options);
  const source = settings.source ?? (caps.sources.includes('feeder') ? 'feeder' : caps.sources[0]!);
  const chosen = sourceSetting(options, source);
  if (!chosen)
    return { error: `${deviceName} has no ${source} source (it offers ${caps.sources.join(', ')})` };
  const args: string[] = [];
  if (chosen.source !== null) args.push(`--source=${chosen.source}`);
  args.push(...chosen.extra);

  const lineart = settings.mode === 'bw' ? modeValue(options, 'bw') : null;
  const mode = lineart ?? modeValue(options, settings.mode === 'bw' ? 'gray' : settings.mode);
  if (!caps.modes.includes(settings.mode) || mode === null)
    return { error: `${deviceName} cannot scan in ${settings.mode} (it offers ${caps.modes.join(', ')})` };
  if (options.has('mode')) args.push(`--mode=${mode}`);

  const depth = options.get('depth');
  const bitDepth = settings.mode === 'bw' ? 1 : settings.bitDepth;
  if (depth?.active && !lineart) {
    if (!acceptsNumber(depth, bitDepth))
      return { error: `${deviceName} has no ${bitDepth}-bit depth (it offers ${describeConstraint(depth)})` };
    args.push(`--depth=${bitDepth}`);
  } else if (!caps.bitDepths.includes(bitDepth as BitDepth)) {
    return { error: `${deviceName} has no ${bitDepth}-bit depth (it offers ${caps.bitDepths.join(', ')})` };
  }

  const resolution = options.get('resolution');
  if (resolution) {
    if (!acceptsNumber(resolution, settings.dpi))
      return {
        error: `${deviceName} cannot scan at ${settings.dpi} dpi (it offers ${describeConstraint(resolution)})`,
      };
    args.push(`--resolution=${settings.dpi}`);
  }

  for (const [name, value] of Object.entries(settings.driverOptions)) {
    if (!/^[A-Za-z0-9][\w-]*$/.test(name) || FRONTEND_OPTIONS.has(name) || name.startsWith('batch'))
      return { error: `"${name}" is not a backend option Quire passes through` };
    if (PROFILE_OPTIONS.has(name))
      return {
        error: `"${name}" comes from the scan profile and the batch's source; it is not passed through`,
      };
    const option = options.get(name);
    if (!option)
      return { error: `${deviceName} has no backend option "${name}" (see scanimage -d ${deviceName} -A)` };
    if (!option.settable) return { error: `backend option "${name}" of ${deviceName} is read-only` };
    if (option.constraint.kind === 'list' && !option.constraint.values.includes(value))
      return {
        error: `backend option "${name}" of ${deviceName} takes ${describeConstraint(option)}, not "${value}"`,
      };
    args.push(name.length === 1 ? `-${name}` : `--${name}=${value}`);
    if (name.length === 1) args.push(value);
  }
  return { args, source };
}
