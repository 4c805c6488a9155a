import sharp from 'sharp';
import type { BitDepth, ScanMode } from '../scanlink/protocol';

export interface PageSpec {
  widthInches: number;
  heightInches: number;
  dpi: number;
  mode: ScanMode;
  bitDepth: BitDepth;
}

/** Page size in pixels at the scan resolution. */
export function pixelSize(spec: PageSpec): { width: number; height: number } {
  return {
    width: Math.max(1, Math.round(spec.widthInches * spec.dpi)),
    height: Math.max(1, Math.round(spec.heightInches * spec.dpi)),
  };
}

/**
 * A real, uncompressed TIFF as a scanner would deliver it: the requested size, resolution
 * (TIFF XResolution/YResolution in inches), colour mode and bit depth, with a page-dependent
 * tone so pages differ. Colour pages carry an embedded sRGB ICC profile. Made with sharp.
 */
export async function makeTiffPage(spec: PageSpec, variant: number, stamp?: number): Promise<Buffer> {
  const { width, height } = pixelSize(spec);
  const channels = spec.mode === 'color' ? 3 : 1;
  const tone = 110 + ((variant * 37) % 120);
  const tiff = {
    xres: spec.dpi / 25.4,
    yres: spec.dpi / 25.4,
    resolutionUnit: 'inch' as const,
    compression: 'none' as const,
  };

  if (spec.bitDepth === 16 && spec.mode !== 'bw') {
    // A Uint16Array tells sharp the samples are 16-bit.
    const raw = new Uint16Array(width * height * channels);
    for (let i = 0; i < raw.length; i++) raw[i] = ((i * 131 + variant * 4099) % 40_000) + tone * 100;
    if (stamp !== undefined)
      stampBits(stamp, width).forEach((on, i) => (raw[i * channels] = on ? 65_535 : 0));
    return sharp(raw, { raw: { width, height, channels } })
      .toColourspace(channels === 3 ? 'rgb16' : 'grey16')
      .tiff(tiff)
      .toBuffer();
  }
  const created = sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: tone, g: 230 - (tone % 50), b: 190 - (tone % 80) },
    },
  });
  const base =
    stamp === undefined
      ? created
      : sharp(
          await created
            .composite([
              {
                input: stampStrip(stamp, width),
                raw: { width: 32, height: 1, channels: 3 },
                top: 0,
                left: 0,
              },
            ])
            .png()
            .toBuffer(),
        ).removeAlpha();
  if (spec.mode === 'bw')
    return base
      .toColourspace('b-w')
      .tiff({ ...tiff, bitdepth: 1 })
      .toBuffer();
  if (spec.mode === 'gray') return base.toColourspace('b-w').tiff(tiff).toBuffer();
  return base.withIccProfile('srgb').tiff(tiff).toBuffer();
}

/** The stamp's 32 bits, lowest first (as many as the page is wide). */
function stampBits(stamp: number, width: number): boolean[] {
  return Array.from({ length: Math.min(32, width) }, (_, bit) => ((stamp >>> bit) & 1) === 1);
}

/**
 * A 32×1 strip of black and white pixels spelling a number: makes a page's bytes unique to
 * one transmission, so a test can trace any master back to the sending it came from.
 */
function stampStrip(stamp: number, width: number): Buffer {
  const strip = Buffer.alloc(32 * 3, 255);
  stampBits(stamp, width).forEach((on, i) => strip.fill(on ? 0 : 255, i * 3, i * 3 + 3));
  return strip;
}
