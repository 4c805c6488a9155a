import sharp from 'sharp';
import type { GreyImage } from './engine';

/** Recognition resolution: Tesseract's models are trained on text at about this size. */
export const RECOGNITION_DPI = 300;

export class UnreadableImageError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`cannot read image ${file}: ${(cause as Error).message ?? String(cause)}`);
  }
}

export interface PreparedPage {
  image: GreyImage;
  /** The master's own size in pixels: ALTO's coordinates. */
  master: { width: number; height: number };
}

/**
 * The recognition copy of a master: 8-bit grey, reduced to 300 dpi when the master is finer
 * (never enlarged), in memory only. The master is only read (streamed, first page of a
 * multi-page TIFF). Its resolution comes from `dpi` when the caller knows it (the scan
 * profile), else from the file, else 300 is assumed.
 */
export async function prepareRecognitionImage(master: string, dpi?: number): Promise<PreparedPage> {
  const open = () =>
    sharp(master, { limitInputPixels: 2_000_000_000, sequentialRead: true, failOn: 'error' });
  try {
    const meta = await open().metadata();
    if (!meta.width || !meta.height) throw new Error('no image size');
    const source = dpi ?? (meta.density && meta.density > 1 ? meta.density : RECOGNITION_DPI);
    const scale = source > RECOGNITION_DPI ? RECOGNITION_DPI / source : 1;
    let pipeline = open();
    if (scale < 1)
      pipeline = pipeline.resize({
        width: Math.max(1, Math.round(meta.width * scale)),
        height: Math.max(1, Math.round(meta.height * scale)),
        fit: 'fill',
        kernel: 'lanczos3',
      });
    const { data, info } = await pipeline
      .flatten({ background: '#ffffff' })
      .greyscale()
      .extractChannel(0)
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return {
      image: { width: info.width, height: info.height, dpi: Math.round(source * scale), pixels: data },
      master: { width: meta.width, height: meta.height },
    };
  } catch (error) {
    throw new UnreadableImageError(master, error);
  }
}
