import type { OcrLanguage } from './language-data';

/** A box in pixels of the image the engine read. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface OcrWord extends Box {
  text: string;
  /** 0..1 */
  confidence: number;
}

export interface OcrLine extends Box {
  words: OcrWord[];
}

export interface OcrBlock extends Box {
  lines: OcrLine[];
}

/** What an engine read on one page, in the coordinates of the image it was given. */
export interface OcrResult {
  width: number;
  height: number;
  blocks: OcrBlock[];
}

/** Which engine: the one bundled with the app, or Debian's `tesseract` where installed. */
export type EngineKind = 'tesseract.js' | 'tesseract';

/** The recognition image handed to an engine: 8-bit grey, one byte per pixel. */
export interface GreyImage {
  width: number;
  height: number;
  dpi: number;
  /** width × height bytes, row by row. */
  pixels: Buffer;
}

/**
 * An OCR engine. Both implementations run Tesseract's LSTM recogniser on the same model files
 * and report Tesseract's own TSV layout (page → block → paragraph → line → word), parsed by the
 * same code (tsv.ts), so what is written from their results has the same form.
 */
export interface OcrEngine {
  readonly kind: EngineKind;
  /** The engine's version alone, e.g. "7.0.0" (tesseract.js) or "5.3.0" (tesseract). */
  version(): Promise<string>;
  recognize(image: GreyImage, languages: readonly OcrLanguage[], signal?: AbortSignal): Promise<OcrResult>;
  close(): Promise<void>;
}

/**
 * Tesseract parameters both engines recognise with, so that they write the same files: fully
 * automatic page segmentation without orientation detection (3), and no second reading of a
 * line as white on black (`tessedit_do_invert`: a line Tesseract is unsure of is otherwise read
 * again inverted; pages here are dark text on light paper, and the second reading costs time
 * for nothing).
 */
export const RECOGNITION_PARAMETERS = {
  tessedit_pageseg_mode: '3',
  tessedit_do_invert: '0',
} as const;

/** A binary PGM (P5): the grey image in a form Tesseract's image reader (Leptonica) takes without decoding work. */
export function toPgm(image: GreyImage): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'ascii'), image.pixels]);
}
