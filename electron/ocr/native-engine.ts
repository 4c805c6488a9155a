import { spawn, spawnSync } from 'node:child_process';
import pLimit from 'p-limit';
import { RECOGNITION_PARAMETERS, toPgm, type GreyImage, type OcrEngine } from './engine';
import { prepareLanguageData, type OcrLanguage } from './language-data';
import { parseTesseractTsv } from './tsv';

/** Why Debian's `tesseract` cannot be used here, or null when it can. */
export function nativeTesseractUnavailable(binary = 'tesseract'): string | null {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.error) return `${binary} is not installed (apt-get install -y tesseract-ocr)`;
  if (probe.status !== 0) return `${binary} --version failed: ${probe.stderr.trim()}`;
  return null;
}

export interface NativeOptions {
  /** Pages recognised at once (one process each). */
  size: number;
  /** The same unpacked models the bundled engine reads (--tessdata-dir). */
  tessdataDir: string;
  binary?: string;
}

/**
 * Debian's `tesseract` CLI, one process per page: the page goes in on stdin as PGM and the
 * TSV comes back on stdout, so no temporary image file is written. The models are the app's
 * own (--tessdata-dir), never the system's, so both engines read with the same data. Each
 * process keeps to one thread (OMP_THREAD_LIMIT=1): the pool, not OpenMP, uses the cores.
 */
export function createNativeEngine(options: NativeOptions): OcrEngine {
  const binary = options.binary ?? 'tesseract';
  const limit = pLimit(options.size);
  let version: string | null = null;
  return {
    kind: 'tesseract',
    async version() {
      version ??= spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!.trim();
      return version.replace(/^tesseract\s+/, '');
    },
    recognize: (image: GreyImage, languages: readonly OcrLanguage[], signal?: AbortSignal) =>
      limit(async () => {
        await prepareLanguageData(options.tessdataDir, languages);
        signal?.throwIfAborted();
        const args = ['stdin', 'stdout', '--tessdata-dir', options.tessdataDir, '-l', languages.join('+')];
        // TSV by variable, not the `tsv` config file: that lives in the system tessdata, not in ours.
        args.push('--oem', '1', '--dpi', String(image.dpi));
        for (const [name, value] of Object.entries(RECOGNITION_PARAMETERS))
          args.push(...(name === 'tessedit_pageseg_mode' ? ['--psm', value] : ['-c', `${name}=${value}`]));
        args.push('-c', 'tessedit_create_tsv=1', '-c', 'tessedit_create_txt=0');
        const tsv = await run(binary, args, toPgm(image), signal);
        return parseTesseractTsv(tsv, image);
      }),
    close: async () => {},
  };
}

function run(binary: string, args: string[], input: Buffer, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      signal,
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    // A process that exits before reading all of stdin is reported by its exit status below.
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${binary} exited with ${code}: ${err.trim().split('\n').pop() ?? ''}`));
    });
    child.stdin.end(input);
  });
}
