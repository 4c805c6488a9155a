// npm run bench -- ocr
// Pages/min of OCR on 20 rendered A4 text pages at 300 dpi grey (known text, a little skew and
// dirt: electron/scanner/simulator/text-pages.ts), Quire's bundled engine (tesseract.js worker
// pool, as many workers as the compute queue runs jobs: 2) against Debian's `tesseract` CLI on
// the same page files with the same model files (--tessdata-dir: the app's unpacked best_int
// models), two processes at a time with one thread each, in the same run. Quire's side is the
// whole page as the pipeline does it (300-dpi grey copy, recognition, ALTO and text written);
// the CLI's is recognition to text. Rounds alternate (Quire, CLI, …; at least 3): the ratio is
// the median of the per-round ratios, with the spread. Word accuracy of both against the text
// printed; peak RSS of the Quire process (the pool's worker threads live in it), sampled.
// Goal: ≥ 0.6× the CLI's pages/min, equal accuracy (±1 point), pool RSS < 600 MB.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { wordAccuracy, wordsOf } from '../electron/ocr/accuracy';
import {
  createOcrEngine,
  nativeTesseractUnavailable,
  ocrCacheDir,
  prepareLanguageData,
  recognizePage,
} from '../electron/ocr/index';
import { defaultQueueConfig } from '../electron/queue/queue-config';
import { makeTextPage, textPageWords } from '../electron/scanner/simulator/text-pages';
import type { PageSpec } from '../electron/scanner/simulator/tiff-pages';
import { recordConditions } from './support/conditions';
import { alternate, ratioFigures, round, ROUNDS, summary } from './support/rounds';

const run = promisify(execFile);
const missing = nativeTesseractUnavailable();
if (missing) {
  console.error(`the ocr bench needs Debian's tesseract as its baseline: ${missing}`);
  process.exit(2);
}
const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const pages = Math.max(2, Math.round(20 * scale));
const SPEC: PageSpec = { widthInches: 8.27, heightInches: 11.69, dpi: 300, mode: 'gray', bitDepth: 8 };
const work = path.resolve('bench/.work/ocr');
const pageDir = path.join(work, 'pages');
const tessdata = await prepareLanguageData(ocrCacheDir(path.join(work, 'data')), ['eng']);
mkdirSync(pageDir, { recursive: true });

process.stderr.write(`preparing ${pages} A4 text pages at 300 dpi grey…\n`);
const files: string[] = [];
for (let i = 1; i <= pages; i++) {
  const file = path.join(pageDir, `page-${String(i).padStart(4, '0')}.tif`);
  if (!existsSync(file)) writeFileSync(file, await makeTextPage(SPEC, i));
  files.push(file);
}
const accuracyOf = (texts: string[]) =>
  round(
    (texts.reduce((sum, text, i) => sum + wordAccuracy(textPageWords(SPEC, i + 1), wordsOf(text)), 0) /
      texts.length) *
      100,
    2,
  );

const size = defaultQueueConfig('compute').concurrency;
const engine = createOcrEngine({ choice: 'bundled', size, tessdataDir: tessdata });
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
let quireTexts: string[] = [];
let cliTexts: string[] = [];

async function quire(): Promise<number> {
  const out = path.join(work, 'quire');
  rmSync(out, { recursive: true, force: true });
  const limit = pLimit(size);
  const start = process.hrtime.bigint();
  const results = await Promise.all(
    files.map((master, i) =>
      limit(() =>
        recognizePage(engine, {
          master,
          pageNumber: i + 1,
          languages: ['eng'],
          altoFile: path.join(out, `${i + 1}.alto.xml`),
          textFile: path.join(out, `${i + 1}.txt`),
        }),
      ),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  quireTexts = results.map((r) => readFileSync(r.textFile, 'utf8'));
  return (pages / seconds) * 60;
}

async function cli(): Promise<number> {
  const out = path.join(work, 'cli');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const limit = pLimit(size);
  const start = process.hrtime.bigint();
  await Promise.all(
    files.map((file, i) =>
      limit(() =>
        run(
          'tesseract',
          [
            file,
            path.join(out, String(i + 1)),
            '--tessdata-dir',
            tessdata,
            '-l',
            'eng',
            '--oem',
            '1',
            '--psm',
            '3',
          ],
          {
            env: { ...process.env, OMP_THREAD_LIMIT: '1' },
          },
        ),
      ),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  cliTexts = files.map((_, i) => readFileSync(path.join(out, `${i + 1}.txt`), 'utf8'));
  return (pages / seconds) * 60;
}

// An untimed page first: the pool's workers start (once per station) and load the model.
await recognizePage(engine, {
  master: files[0]!,
  pageNumber: 1,
  languages: ['eng'],
  altoFile: path.join(work, 'warm.alto.xml'),
  textFile: path.join(work, 'warm.txt'),
});
const conditions = await recordConditions();
const rounds = await alternate(ROUNDS, quire, cli);
clearInterval(sampler);
await engine.close();
const quireAccuracy = accuracyOf(quireTexts);
const cliAccuracy = accuracyOf(cliTexts);
const peakRssMb = Math.round(peakRss / 1024 / 1024);
console.log(
  JSON.stringify({
    bench: 'ocr',
    measures: 'OCR pages/min (300-dpi grey A4 text) vs the tesseract CLI on the same pages and models',
    pages,
    ...ratioFigures(rounds.quire.map((q, i) => q / rounds.baseline[i]!)),
    goalRatio: 0.6,
    workers: size,
    quirePagesPerMin: summary(rounds.quire, 1),
    cliPagesPerMin: summary(rounds.baseline, 1),
    quireWordAccuracyPercent: quireAccuracy,
    cliWordAccuracyPercent: cliAccuracy,
    accuracyWithinOnePoint: Math.abs(quireAccuracy - cliAccuracy) <= 1,
    peakRssMb,
    rssGoalMb: 600,
    conditions: await conditions(),
  }),
);
