import sharp, { type Metadata } from 'sharp';
import { makeAccessCopy } from './derivatives';
import { isDiskFull } from '../storage/index';
import type { QcFinding } from '../../shared/contract/index';

export interface ExpectedProfile {
  dpi: number;
  mode: 'color' | 'gray' | 'bw';
  bitDepth: 1 | 8 | 16;
  /** The batch's profile allows lossy masters (JPEG, PDF): they are then a warning, not an error. */
  allowLossy?: boolean;
}

/** Lossless master formats (as sharp names them); anything else is lossy or unknown. */
const LOSSLESS = new Set(['tiff', 'png']);
const LOSSY = new Set(['jpeg', 'pdf']);

export interface MasterMetadata {
  width: number;
  height: number;
  dpi: number | null;
  bitDepth: number | null;
  channels: number;
  space: string;
  hasIcc: boolean;
  format: string;
}

// One master decoded at a time per worker, never cached: masters are hundreds of megabytes.
sharp.cache(false);

function bitDepthOf(meta: Metadata): number | null {
  if (meta.bitsPerSample === 1) return 1;
  if (meta.depth === 'uchar' || meta.depth === 'char') return 8;
  if (meta.depth === 'ushort' || meta.depth === 'short') return 16;
  return meta.bitsPerSample ?? null;
}

/**
 * Inspects one master against the scan profile: it must decode completely (a malformed image
 * is an error, never a crash), be lossless (TIFF or PNG; JPEG or PDF only where the profile
 * allows lossy masters, and then a warning) with the profile's resolution, bit depth and colour
 * mode; a colour master without an embedded ICC profile is a warning.
 */
export async function inspectMaster(
  file: string,
  page: number,
  profile: ExpectedProfile,
  options: { accessCopy?: string } = {},
): Promise<{ meta: MasterMetadata | null; findings: QcFinding[] }> {
  const findings: QcFinding[] = [];
  const error = (code: string, message: string) => findings.push({ page, code, severity: 'error', message });
  let meta: Metadata;
  try {
    meta = await sharp(file, { failOn: 'warning', limitInputPixels: 2_000_000_000 }).metadata();
    if (options.accessCopy) {
      // Every pixel must decode; making the access copy reads them all, so it is the check.
      await makeAccessCopy(file, options.accessCopy);
    } else {
      // Without an access copy to make, a box-reduce to 16×16 reads every pixel (stats() would
      // also compute entropy and a sharpness convolution over tens of megapixels, for nothing).
      // ignoreIcc: the pixels need only decode, not be converted to sRGB first.
      await sharp(file, {
        failOn: 'warning',
        limitInputPixels: 2_000_000_000,
        sequentialRead: true,
        ignoreIcc: true,
      })
        .resize({ width: 16, height: 16, fit: 'fill' })
        .raw()
        .toBuffer();
    }
  } catch (e) {
    // A full disk while writing the access copy says nothing about the master: the stage retries.
    if (isDiskFull(e)) throw e;
    error('DECODE_FAILED', `the master does not decode cleanly: ${(e as Error).message}`);
    return { meta: null, findings };
  }
  const result: MasterMetadata = {
    width: meta.width ?? 0,
    height: meta.height ?? 0,
    dpi: meta.density ? Math.round(meta.density) : null,
    bitDepth: bitDepthOf(meta),
    channels: meta.channels ?? 0,
    space: meta.space ?? 'unknown',
    hasIcc: Boolean(meta.icc),
    format: meta.format ?? 'unknown',
  };
  if (LOSSY.has(result.format)) {
    if (profile.allowLossy)
      findings.push({
        page,
        code: 'LOSSY_MASTER',
        severity: 'warning',
        message: `the master is ${result.format.toUpperCase()}, a lossy format (the profile allows lossy masters)`,
      });
    else
      error(
        'LOSSY_MASTER',
        `the master is ${result.format.toUpperCase()}, a lossy format the profile does not allow`,
      );
  } else if (!LOSSLESS.has(result.format))
    error('NOT_A_MASTER_FORMAT', `the master is ${result.format}, not TIFF or PNG`);
  if (result.width < 1 || result.height < 1) error('NO_PIXELS', 'the master has no pixels');
  if (result.dpi === null) error('NO_RESOLUTION', 'the master records no resolution');
  else if (result.dpi !== profile.dpi)
    error('DPI_MISMATCH', `the master is ${result.dpi} dpi; the profile says ${profile.dpi}`);
  if (result.bitDepth !== profile.bitDepth)
    error('BIT_DEPTH_MISMATCH', `the master is ${result.bitDepth}-bit; the profile says ${profile.bitDepth}`);
  const expectedChannels = profile.mode === 'color' ? 3 : 1;
  if (result.channels < expectedChannels || (profile.mode !== 'color' && result.channels !== 1)) {
    error(
      'MODE_MISMATCH',
      `the master has ${result.channels} channel(s) (${result.space}); the profile says ${profile.mode}`,
    );
  }
  if (profile.mode === 'color' && !result.hasIcc) {
    findings.push({
      page,
      code: 'NO_ICC_PROFILE',
      severity: 'warning',
      message: 'no embedded ICC profile: colour cannot be reproduced faithfully',
    });
  }
  return { meta: result, findings };
}

/** Pages of one batch must agree: same resolution, depth and mode; sizes within 5 %. */
export function batchConsistency(pages: { page: number; meta: MasterMetadata }[]): QcFinding[] {
  const findings: QcFinding[] = [];
  const first = pages[0];
  if (!first) return findings;
  for (const { page, meta } of pages.slice(1)) {
    if (
      meta.dpi !== first.meta.dpi ||
      meta.bitDepth !== first.meta.bitDepth ||
      meta.channels !== first.meta.channels
    ) {
      findings.push({
        page,
        code: 'INCONSISTENT_PAGE',
        severity: 'error',
        message: `page ${page} differs from page ${first.page} in resolution, depth or mode`,
      });
    }
    const widthOff = Math.abs(meta.width - first.meta.width) / first.meta.width;
    const heightOff = Math.abs(meta.height - first.meta.height) / first.meta.height;
    if (widthOff > 0.05 || heightOff > 0.05) {
      findings.push({
        page,
        code: 'SIZE_VARIES',
        severity: 'warning',
        message: `page ${page} is ${meta.width}×${meta.height}; page ${first.page} is ${first.meta.width}×${first.meta.height}`,
      });
    }
  }
  return findings;
}
