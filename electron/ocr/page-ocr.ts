import path from 'node:path';
import { writeFileAtomic } from '../storage/index';
import { buildAlto, pageStatistics, plainText } from './alto';
import type { OcrEngine } from './engine';
import type { OcrLanguage } from './language-data';
import { prepareRecognitionImage } from './prepare-page';

export interface PageOcrInput {
  master: string;
  /** The master's resolution when known (the scan profile); else read from the file. */
  dpi?: number;
  pageNumber: number;
  languages: readonly OcrLanguage[];
  altoFile: string;
  textFile: string;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface PageOcrResult {
  page: number;
  words: number;
  /** Mean word confidence 0..1, null for a page without words. */
  meanConfidence: number | null;
  altoFile: string;
  textFile: string;
  altoSha256: string;
  textSha256: string;
}

/**
 * One page: the 300-dpi grey copy of its master, recognised, written as ALTO and plain text
 * (each to a .part file, fsynced, then renamed, replacing an earlier attempt's). The master
 * is only read.
 */
export async function recognizePage(engine: OcrEngine, input: PageOcrInput): Promise<PageOcrResult> {
  const prepared = await prepareRecognitionImage(input.master, input.dpi);
  input.signal?.throwIfAborted();
  const result = await engine.recognize(prepared.image, input.languages, input.signal);
  const alto = buildAlto({
    result,
    master: { fileName: path.basename(input.master), ...prepared.master },
    pageNumber: input.pageNumber,
    engine: { name: engine.kind, version: await engine.version() },
    languages: input.languages,
    dpi: prepared.image.dpi,
    processedAt: (input.now ?? (() => new Date()))(),
  });
  const altoSha256 = await writeFileAtomic(input.altoFile, alto, { noOverwrite: false });
  const textSha256 = await writeFileAtomic(input.textFile, plainText(result), { noOverwrite: false });
  return {
    page: input.pageNumber,
    ...pageStatistics(result),
    altoFile: input.altoFile,
    textFile: input.textFile,
    altoSha256,
    textSha256,
  };
}
