import type { OcrEngine } from './engine';
import { createNativeEngine, nativeTesseractUnavailable } from './native-engine';
import { createTesseractJsEngine } from './tesseract-js-engine';

export type { EngineKind, OcrEngine, OcrResult, GreyImage } from './engine';
export { RECOGNITION_PARAMETERS } from './engine';
export { buildAlto, pageStatistics, plainText } from './alto';
export {
  OCR_LANGUAGES,
  ocrCacheDir,
  parseLanguages,
  prepareLanguageData,
  UnknownLanguageError,
  type OcrLanguage,
} from './language-data';
export { nativeTesseractUnavailable } from './native-engine';
export { recognizePage, type PageOcrInput, type PageOcrResult } from './page-ocr';
export { prepareRecognitionImage, UnreadableImageError, RECOGNITION_DPI } from './prepare-page';

/**
 * Which engine reads the pages: `bundled` (tesseract.js, always there, the default), `native`
 * (Debian's `tesseract`, fails if missing) or `auto` (native where installed, else bundled).
 * Chosen by QUIRE_OCR_ENGINE; both write the same files from the same models.
 */
export type EngineChoice = 'bundled' | 'native' | 'auto';

export function engineChoice(env: NodeJS.ProcessEnv = process.env): EngineChoice {
  const value = (env.QUIRE_OCR_ENGINE ?? 'bundled').trim() || 'bundled';
  if (value === 'bundled' || value === 'native' || value === 'auto') return value;
  throw new Error(`QUIRE_OCR_ENGINE must be bundled, native or auto, not "${value}"`);
}

export interface EngineOptions {
  choice?: EngineChoice;
  /** Pages recognised at once: the compute queue's concurrency. */
  size: number;
  /** Unpacked language data, in the data folder (ocrCacheDir). */
  tessdataDir: string;
}

export function createOcrEngine(options: EngineOptions): OcrEngine {
  const choice = options.choice ?? engineChoice();
  const missing = choice === 'bundled' ? 'not asked' : nativeTesseractUnavailable();
  if (choice === 'native' && missing) throw new Error(`QUIRE_OCR_ENGINE=native, but ${missing}`);
  if (choice !== 'bundled' && !missing)
    return createNativeEngine({ size: options.size, tessdataDir: options.tessdataDir });
  return createTesseractJsEngine({ size: options.size, tessdataDir: options.tessdataDir });
}
export { wordAccuracy, wordsOf } from './accuracy';
