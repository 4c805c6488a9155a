import path from 'node:path';
import type { Command } from 'commander';
import {
  createOcrEngine,
  engineChoice,
  ocrCacheDir,
  parseLanguages,
  recognizePage,
  UnknownLanguageError,
  type EngineChoice,
  type OcrLanguage,
  type PageOcrResult,
} from '../ocr/index';
import { defaultQueueConfig } from '../queue/queue-config';
import { cliDataRoot, failWith, printJson, withDataOption } from './common';

interface OcrOptions {
  out: string;
  lang: string;
  engine?: string;
  data?: string;
}

/**
 * `quire ocr IMAGE… --out DIR`: the station's OCR on any images, without a station. Writes
 * DIR/<name>.alto.xml and DIR/<name>.txt per image and prints one JSON line with each page's
 * word count and mean confidence. An image that cannot be read ends it with exit 1, naming it.
 */
export function registerOcrCommand(program: Command): void {
  withDataOption(program.command('ocr'))
    .description('recognise text in images: ALTO 4.4 and plain text per image, offline')
    .argument('<images...>', 'image files (TIFF, JPEG, PNG…)')
    .requiredOption('--out <dir>', 'folder for <name>.alto.xml and <name>.txt')
    .option('--lang <codes>', 'language(s), e.g. eng or eng+fra', 'eng')
    .option('--engine <engine>', 'bundled (tesseract.js), native (Debian tesseract) or auto')
    .action(async (images: string[], opts: OcrOptions) => {
      let languages: OcrLanguage[];
      let choice: EngineChoice;
      try {
        languages = parseLanguages(opts.lang);
        choice = opts.engine ? engineChoice({ QUIRE_OCR_ENGINE: opts.engine }) : engineChoice();
      } catch (error) {
        const code = error instanceof UnknownLanguageError ? 'UNKNOWN_LANGUAGE' : 'INVALID_INPUT';
        return failWith(2, { code, message: (error as Error).message });
      }
      const names = images.map((image) => path.basename(image, path.extname(image)));
      const clash = names.findIndex((name, i) => names.indexOf(name) !== i);
      if (clash >= 0)
        return failWith(2, {
          code: 'INVALID_INPUT',
          message: `${images[names.indexOf(names[clash]!)]} and ${images[clash]} would both be written as ${names[clash]}.alto.xml`,
        });

      const engine = createOcrEngine({
        choice,
        size: Math.min(images.length, defaultQueueConfig('compute').concurrency),
        tessdataDir: ocrCacheDir(cliDataRoot(opts)),
      });
      const settled = await Promise.allSettled(
        images.map((image, i) =>
          recognizePage(engine, {
            master: path.resolve(image),
            pageNumber: i + 1,
            languages,
            altoFile: path.resolve(opts.out, `${names[i]}.alto.xml`),
            textFile: path.resolve(opts.out, `${names[i]}.txt`),
          }),
        ),
      );
      const version = await engine.version();
      await engine.close();
      const pages = settled.flatMap((s, i) =>
        s.status === 'fulfilled' ? [summary(images[i]!, s.value)] : [],
      );
      const failed = settled.findIndex((s) => s.status === 'rejected');
      const result = { engine: { name: engine.kind, version }, languages, pages };
      if (failed >= 0) {
        const reason = (settled[failed] as PromiseRejectedResult).reason as Error;
        return failWith(
          1,
          { code: 'UNREADABLE_IMAGE', message: reason.message, image: images[failed] },
          result,
        );
      }
      printJson(result);
    });
}

const summary = (image: string, page: PageOcrResult) => ({
  image,
  alto: page.altoFile,
  text: page.textFile,
  words: page.words,
  meanConfidence: page.meanConfidence,
});
