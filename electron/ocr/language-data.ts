import { createReadStream, createWriteStream, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { commitPartFile, PART_SUFFIX } from '../storage/index';
import { appRequire } from './app-require';

/** The languages whose data ships with the app (npm packages @tesseract.js-data/<code>). */
export const OCR_LANGUAGES = ['eng', 'fra'] as const;
export type OcrLanguage = (typeof OCR_LANGUAGES)[number];

/**
 * The variant both engines read: LSTM-only integer models ("best_int"), the data tesseract.js
 * itself picks for its default LSTM engine. One file per language, so the bundled and the
 * native engine recognise with the very same model.
 */
const VARIANT = '4.0.0_best_int';

export class UnknownLanguageError extends Error {
  constructor(readonly language: string) {
    super(`no OCR language data for "${language}": choose from ${OCR_LANGUAGES.join(', ')}`);
  }
}

export function parseLanguages(spec: string | readonly string[]): OcrLanguage[] {
  const codes = (typeof spec === 'string' ? spec.split('+') : [...spec]).map((c) => c.trim()).filter(Boolean);
  if (codes.length === 0) throw new UnknownLanguageError('');
  for (const code of codes)
    if (!(OCR_LANGUAGES as readonly string[]).includes(code)) throw new UnknownLanguageError(code);
  return [...new Set(codes)] as OcrLanguage[];
}

/** The packaged, gzipped model of a language, resolved from node_modules (never a URL). */
export function packagedModel(language: OcrLanguage): string {
  const pkg = appRequire.resolve(`@tesseract.js-data/${language}/package.json`);
  return path.join(path.dirname(pkg), VARIANT, `${language}.traineddata.gz`);
}

/**
 * Unpacks the languages' models into `dir` (the station's data folder, cache/ocr/tessdata),
 * once; later calls find them there. Both engines read this folder: tesseract.js as its
 * langPath and cache, the native CLI as --tessdata-dir. Written to a .part file and renamed,
 * so a crash never leaves a truncated model that would be read as a good one.
 */
export async function prepareLanguageData(dir: string, languages: readonly OcrLanguage[]): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (const language of languages) {
    const target = path.join(dir, `${language}.traineddata`);
    if (existsSync(target)) continue;
    const part = `${target}.${process.pid}${PART_SUFFIX}`;
    await pipeline(createReadStream(packagedModel(language)), createGunzip(), createWriteStream(part));
    try {
      await commitPartFile(part, target, { noOverwrite: true });
    } catch (error) {
      // Another process unpacked it first: theirs is as good as ours.
      await fs.rm(part, { force: true });
      if (!existsSync(target)) throw error;
    }
  }
  return dir;
}

/** The OCR cache under a station's data folder (never the working directory). */
export const ocrCacheDir = (dataRoot: string) => path.join(dataRoot, 'cache', 'ocr', 'tessdata');
