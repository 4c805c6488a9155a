// npm run bench -- ocr
// Pages/min of OCR on 20 rendered A4 text pages at 300 dpi grey (known text, a little skew and
// dirt: electron/scanner/simulator/text-pages.ts), Quire's bundled engine (tesseract.js worker
// pool, as many workers as the compute queue runs jobs: 2) against Debian's `tesseract` CLI on
// the same page files with the same model file (--tessdata-dir: the app's unpacked best_int
// eng, LSTM only; Debian's own eng.traineddata is the smaller "fast" model and is not used),
// the same engine mode, page segmentation, resolution and parameters (RECOGNITION_PARAMETERS),
// two processes at a time with one thread each (OMP_THREAD_LIMIT=1: on 2 cores, two single-
// threaded pages at once is the CLI's best throughput; OpenMP threads would only compete), in
// the same run. Both start from the same TIFF (8-bit grey, 300 dpi, so Quire's 300-dpi grey
// copy has the very pixels the CLI decodes). Quire's side is the whole page as the pipeline
// does it (grey copy, recognition, ALTO and text written); the CLI's is recognition to TSV,
// read as the app's native engine reads it. Rounds alternate (Quire, CLI, …; at least 3): the
// ratio is the median of the per-round ratios, with the spread. Beside the wall-clock ratio,
// the CPU seconds per page of both sides (Quire: this process, all its threads; CLI: GNU time
// per process): that ratio hardly moves with the load of a shared machine. Word accuracy of
// both against the text printed; peak RSS of the Quire process (the pool's worker threads live
// in it), sampled, and its RSS before the pool started.
// Goal: ≥ 0.6× the CLI's pages/min, equal accuracy (±1 point), pool RSS < 600 MB.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import { wordAccuracy, wordsOf } from '../electron/ocr/accuracy';
import {
  createOcrEngine,
  nativeTesseractUnavailable,
  ocrCacheDir,
  plainText,
  prepareLanguageData,
  prepareRecognitionImage,
  recognizePage,
  RECOGNITION_PARAMETERS,
} from '../electron/ocr/index';
import { parseTesseractTsv } from '../electron/ocr/tsv';
import { defaultQueueConfig } from '../electron/queue/queue-config';
import { makeTextPage, textPageWords } from '../electron/scanner/simulator/text-pages';
import type { PageSpec } from '../electron/scanner/simulator/tiff-pages';
import { recordConditions } from './support/conditions';
import { alternate, ratioFigures, round, ROUNDS, summary } from './support/rounds';
import { hasGnuTime, runTimed } from './support/timed-process';

const missing = nativeTesseractUnavailable();
if (missing) {
  console.error(`the ocr bench needs Debian's tesseract as its baseline: ${missing}`);
  process.exit(2);
}
// The CLI's processes inherit it (runTimed passes this environment on): one thread each.
process.env.OMP_THREAD_LIMIT = '1';
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
// Both engines must read the same pixels: the recognition copy of a 300-dpi grey page is the
// page itself (no resampling), which is what the CLI decodes from the file.
const probe = await prepareRecognitionImage(files[0]!);
if (
  probe.image.dpi !== 300 ||
  probe.image.width !== probe.master.width ||
  probe.image.height !== probe.master.height
)
  throw new Error(
    `the bench pages must be 300-dpi grey as they are: got ${JSON.stringify(probe.image.dpi)} dpi`,
  );

const accuracyOf = (texts: string[]) =>
  round(
    (texts.reduce((sum, text, i) => sum + wordAccuracy(textPageWords(SPEC, i + 1), wordsOf(text)), 0) /
      texts.length) *
      100,
    2,
  );
const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

const size = defaultQueueConfig('compute').concurrency;
const rssBeforePool = process.memoryUsage.rss();
const engine = createOcrEngine({ choice: 'bundled', size, tessdataDir: tessdata });
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
let quireTexts: string[] = [];
let cliTexts: string[] = [];
const quireCpuPerPage: number[] = [];
const cliCpuPerPage: number[] = [];

const quirePage = (master: string, page: number, out: string) =>
  recognizePage(engine, {
    master,
    pageNumber: page,
    languages: ['eng'],
    altoFile: path.join(out, `${page}.alto.xml`),
    textFile: path.join(out, `${page}.txt`),
  });

async function quire(): Promise<number> {
  const out = path.join(work, 'quire');
  rmSync(out, { recursive: true, force: true });
  const limit = pLimit(size);
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const results = await Promise.all(files.map((master, i) => limit(() => quirePage(master, i + 1, out))));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  quireCpuPerPage.push(cpuSeconds(process.cpuUsage(cpu)) / pages);
  quireTexts = results.map((r) => readFileSync(r.textFile, 'utf8'));
  return (pages / seconds) * 60;
}

/** The CLI as the app's native engine runs it (native-engine.ts), from the page file, to TSV. */
const cliArgs = (file: string, outBase: string) => [
  file,
  outBase,
  '--tessdata-dir',
  tessdata,
  '-l',
  'eng',
  '--oem',
  '1',
  '--psm',
  RECOGNITION_PARAMETERS.tessedit_pageseg_mode,
  '--dpi',
  '300',
  ...Object.entries(RECOGNITION_PARAMETERS)
    .filter(([name]) => name !== 'tessedit_pageseg_mode')
    .flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  '-c',
  'tessedit_create_tsv=1',
];

async function cli(): Promise<number> {
  const out = path.join(work, 'cli');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const limit = pLimit(size);
  let cpu = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    files.map((file, i) =>
      limit(async () => {
        const run = await runTimed('tesseract', cliArgs(file, path.join(out, String(i + 1))));
        cpu += run.cpuSeconds ?? NaN;
      }),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  cliCpuPerPage.push(cpu / pages);
  cliTexts = files.map((_, i) =>
    plainText(parseTesseractTsv(readFileSync(path.join(out, `${i + 1}.tsv`), 'utf8'), probe.image)),
  );
  return (pages / seconds) * 60;
}

// Untimed pages first, one per worker at once: every worker of the pool starts (once per
// station), loads the model and has its WebAssembly compiled to the optimising tier, as on a
// station that has been reading pages for a while.
await Promise.all(files.slice(0, size).map((master, i) => quirePage(master, i + 1, path.join(work, 'warm'))));
const conditions = await recordConditions();
const rounds = await alternate(ROUNDS, quire, cli);
clearInterval(sampler);
await engine.close();
const quireAccuracy = accuracyOf(quireTexts);
const cliAccuracy = accuracyOf(cliTexts);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
console.log(
  JSON.stringify({
    bench: 'ocr',
    measures:
      'OCR pages/min (300-dpi grey A4 text) vs the tesseract CLI on the same pages, model and parameters',
    pages,
    ...ratioFigures(rounds.quire.map((q, i) => q / rounds.baseline[i]!)),
    goalRatio: 0.6,
    workers: size,
    cliProcessesAtOnce: size,
    cliThreadsPerProcess: 1,
    model: 'eng 4.0.0_best_int (LSTM only), same file for both',
    parameters: RECOGNITION_PARAMETERS,
    quirePagesPerMin: summary(rounds.quire, 1),
    cliPagesPerMin: summary(rounds.baseline, 1),
    // CPU seconds per page: CLI / Quire, per round; < 1 means Quire needs more CPU per page.
    cpuRatio: hasGnuTime() ? summary(cliCpuPerPage.map((c, i) => c / quireCpuPerPage[i]!)) : null,
    quireCpuSecondsPerPage: summary(quireCpuPerPage, 2),
    cliCpuSecondsPerPage: hasGnuTime() ? summary(cliCpuPerPage, 2) : null,
    quireWordAccuracyPercent: quireAccuracy,
    cliWordAccuracyPercent: cliAccuracy,
    accuracyWithinOnePoint: Math.abs(quireAccuracy - cliAccuracy) <= 1,
    peakRssMb: mb(peakRss),
    rssBeforePoolMb: mb(rssBeforePool),
    // The pool shares the bench's process (worker threads): its share is what it added.
    poolPeakRssMb: mb(peakRss - rssBeforePool),
    rssGoalMb: 600,
    conditions: await conditions(),
  }),
);
