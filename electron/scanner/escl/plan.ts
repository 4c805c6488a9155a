import type { CaptureRequest, MasterFormat } from '../device';
import { COLOR_MODES, type EsclCapabilities } from './capabilities';
import type { EsclScanSettings } from './scan-settings';

/**
 * Lossless first; JPEG only when the scan profile allows lossy masters. PDF is never asked for:
 * this station cannot decode a PDF for QC, derivatives or OCR, so a PDF master could never
 * complete a batch, and a scanner that offers nothing else is refused before a sheet moves.
 */
const LOSSLESS: MasterFormat[] = ['tiff', 'png'];
const LOSSY: MasterFormat[] = ['jpeg'];

export type Plan = { ok: true; settings: EsclScanSettings } | { ok: false; code: string; message: string };

/**
 * The ScanSettings for a request, or a refusal naming what the scanner cannot do: a profile
 * the device cannot honour is refused before a sheet moves.
 */
export function planScan(caps: EsclCapabilities, request: CaptureRequest): Plan {
  const wanted = request.source ?? (caps.sources.some((s) => s.source === 'feeder') ? 'feeder' : 'flatbed');
  const source = caps.sources.find((s) => s.source === wanted);
  const refuse = (message: string): Plan => ({ ok: false, code: 'UNSUPPORTED_PROFILE', message });
  if (!source)
    return refuse(
      `the scanner has no ${wanted} (it offers: ${caps.sources.map((s) => s.source).join(', ') || 'nothing'})`,
    );
  const colorMode = Object.entries(COLOR_MODES).find(
    ([name, m]) =>
      m.mode === request.mode && m.bitDepth === request.bitDepth && source.colorModes.includes(name),
  )?.[0];
  if (!colorMode)
    return refuse(
      `the scanner's ${wanted} cannot scan ${request.mode} at ${request.bitDepth} bit (it offers: ${source.colorModes.join(', ')})`,
    );
  if (!source.resolutions.includes(request.dpi))
    return refuse(
      `the scanner's ${wanted} cannot scan at ${request.dpi} dpi (it offers: ${source.resolutions.join(', ')} dpi)`,
    );
  const acceptable = request.allowLossy ? [...LOSSLESS, ...LOSSY] : LOSSLESS;
  const format = acceptable.find((f) => source.formats.includes(f));
  if (!format)
    return refuse(
      `the scanner's ${wanted} offers no ${request.allowLossy ? 'usable' : 'lossless'} format ` +
        `(it offers: ${source.mimeTypes.join(', ')}); lossy (JPEG) masters need a profile that allows ` +
        'them, and PDF masters cannot be checked or derived from on this station',
    );
  if (source.maxWidth <= 0 || source.maxHeight <= 0)
    return refuse(`the scanner does not say how large its ${wanted} is`);
  return {
    ok: true,
    settings: {
      source: wanted,
      colorMode,
      dpi: request.dpi,
      format,
      width: source.maxWidth,
      height: source.maxHeight,
    },
  };
}
