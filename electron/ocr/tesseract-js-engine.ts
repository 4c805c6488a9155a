import { createWorker, OEM, type Worker } from 'tesseract.js';
import { appRequire } from './app-require';
import { RECOGNITION_PARAMETERS, toPgm, type GreyImage, type OcrEngine, type OcrResult } from './engine';
import { prepareLanguageData, type OcrLanguage } from './language-data';
import { parseTesseractTsv } from './tsv';

const packageVersion = (name: string) => (appRequire(`${name}/package.json`) as { version: string }).version;

interface PooledWorker {
  worker: Worker;
  languages: string;
  /** The resolution the worker was last told (user_defined_dpi), as the native engine's --dpi. */
  dpi: number;
  busy: boolean;
}

export interface TesseractJsOptions {
  /** Workers at most (each a worker thread with its own WebAssembly Tesseract, ~100 MB). */
  size: number;
  /** The unpacked models, in the data folder (language-data.ts): langPath and cache both. */
  tessdataDir: string;
}

/**
 * The bundled engine: tesseract.js (Tesseract compiled to WebAssembly) in a pool of worker
 * threads, started when first needed and kept for the next pages. Nothing is fetched: the core
 * WebAssembly is required from node_modules (tesseract.js-core) and the models are read from
 * `tessdataDir` (langPath, gzip off, cache read-only), so no CDN address is ever formed.
 */
export function createTesseractJsEngine(options: TesseractJsOptions): OcrEngine {
  const pool: PooledWorker[] = [];
  const waiting: (() => void)[] = [];
  let starting = 0;
  let closed = false;

  const startWorker = async (languages: string): Promise<PooledWorker> => {
    const worker = await createWorker(languages, OEM.LSTM_ONLY, {
      langPath: options.tessdataDir,
      cachePath: options.tessdataDir,
      cacheMethod: 'readOnly',
      gzip: false,
      logger: () => {},
      // A worker's own errors surface as the rejected recognize() call; nothing to log twice.
      errorHandler: () => {},
    });
    await worker.setParameters({ ...RECOGNITION_PARAMETERS, user_defined_dpi: '300' } as never);
    return { worker, languages, dpi: 300, busy: true };
  };

  /** A worker with these languages loaded, reserved for one page. */
  const acquire = async (languages: string): Promise<PooledWorker> => {
    for (;;) {
      if (closed) throw new Error('the OCR engine is closed');
      const idle = pool.find((w) => !w.busy && w.languages === languages) ?? pool.find((w) => !w.busy);
      if (idle) {
        idle.busy = true;
        if (idle.languages !== languages) {
          try {
            await idle.worker.reinitialize(languages, OEM.LSTM_ONLY);
            idle.languages = languages;
          } catch (error) {
            release(idle);
            throw error;
          }
        }
        return idle;
      }
      if (pool.length + starting < options.size) {
        starting++;
        try {
          const started = await startWorker(languages);
          pool.push(started);
          return started;
        } finally {
          starting--;
        }
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };

  const release = (pooled: PooledWorker) => {
    pooled.busy = false;
    waiting.shift()?.();
  };

  /** A worker that failed mid-page may be in any state: it is ended and replaced when next needed. */
  const discard = async (pooled: PooledWorker) => {
    pool.splice(pool.indexOf(pooled), 1);
    waiting.shift()?.();
    await pooled.worker.terminate().catch(() => {});
  };

  return {
    kind: 'tesseract.js',
    // The package version alone ("7.0.0", its core has the same): PREMIS reads "name version".
    version: async () => packageVersion('tesseract.js'),
    async recognize(image: GreyImage, languages: readonly OcrLanguage[], signal?: AbortSignal) {
      await prepareLanguageData(options.tessdataDir, languages);
      signal?.throwIfAborted();
      const pooled = await acquire(languages.join('+'));
      let result: OcrResult;
      try {
        // A PGM carries no resolution: a master coarser than 300 dpi is read at its own.
        if (pooled.dpi !== image.dpi) {
          await pooled.worker.setParameters({ user_defined_dpi: String(image.dpi) });
          pooled.dpi = image.dpi;
        }
        const { data } = await pooled.worker.recognize(toPgm(image), {}, { text: false, tsv: true });
        result = parseTesseractTsv(data.tsv ?? '', image);
      } catch (error) {
        await discard(pooled);
        throw error instanceof Error ? error : new Error(String(error));
      }
      release(pooled);
      return result;
    },
    async close() {
      closed = true;
      for (const resolve of waiting.splice(0)) resolve();
      await Promise.all(pool.splice(0).map((p) => p.worker.terminate().catch(() => {})));
    },
  };
}
