// npm run bench -- derivatives
// Pages/min through image QC and derivatives (access JPEG 3000 px + 400 px thumbnail) for
// 600-dpi A4 colour masters (~104 MB each), against the vips CLI (Debian libvips-tools) doing
// the same work per page the same way (one full decode of the master making the access copy,
// the thumbnail from that copy), two pages at a time on both cores, in the same run.
// sharp can default to one libvips thread here, so Quire's concurrency is set deliberately
// (electron/pipeline/image-work.ts); the ratio is for that setting, and other settings are
// measured in every round beside it to show it is the right one. Rounds alternate (Quire, vips, …; at least 3): the ratio
// is the median of the per-round ratios, with the spread. Goal: 1.5× the vips CLI.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { makeThumbnail } from '../electron/pipeline/derivatives';
import {
  createImageWorkPool,
  defaultImageConcurrency,
  type ImageConcurrency,
} from '../electron/pipeline/image-work';
import { inspectMaster } from '../electron/pipeline/qc';
import { makeTiffPage } from '../electron/scanner/simulator/tiff-pages';
import { recordConditions } from './support/conditions';
import { alternate, ratioFigures, ROUNDS, summary } from './support/rounds';

const run = promisify(execFile);
const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const pages = Math.max(2, Math.round(8 * scale));
const work = path.resolve('bench/.work/derivatives');
const masters = path.join(work, 'masters');
mkdirSync(masters, { recursive: true });

process.stderr.write(`preparing ${pages} 600-dpi A4 colour masters…\n`);
const files: string[] = [];
for (let i = 1; i <= pages; i++) {
  const file = path.join(masters, `page-${String(i).padStart(4, '0')}.tif`);
  if (!existsSync(file))
    writeFileSync(
      file,
      await makeTiffPage({ widthInches: 8.27, heightInches: 11.69, dpi: 600, mode: 'color', bitDepth: 8 }, i),
    );
  files.push(file);
}

async function quire(concurrency: ImageConcurrency): Promise<number> {
  const pool = createImageWorkPool(concurrency);
  const out = path.join(work, `quire-${concurrency.pagesInFlight}x${concurrency.threadsPerPage}`);
  rmSync(out, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  await pool.map(files, async (file) => {
    const i = files.indexOf(file);
    // As the pipeline does it: QC's full decode makes the access copy; the thumbnail comes from it.
    const access = path.join(out, `a${i}.jpg`);
    const qc = await inspectMaster(
      file,
      i + 1,
      { dpi: 600, mode: 'color', bitDepth: 8 },
      { accessCopy: access },
    );
    if (qc.findings.some((f) => f.severity === 'error')) throw new Error(`QC failed on ${file}`);
    await makeThumbnail(access, path.join(out, `t${i}.jpg`));
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rmSync(out, { recursive: true, force: true });
  return (pages / seconds) * 60;
}

async function vips(): Promise<number> {
  const out = path.join(work, 'vips');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const limit = pLimit(2);
  const start = process.hrtime.bigint();
  await Promise.all(
    files.map((file, i) =>
      limit(async () => {
        // The same work done the same way: one full decode of the master (failing on a bad
        // file) that makes the access copy, then the thumbnail from the access copy.
        // Both copies are converted to sRGB with an sRGB profile embedded, as Quire's are.
        await run('vips', [
          'thumbnail',
          `${file}[fail]`,
          path.join(out, `a${i}.jpg[Q=88]`),
          '3000',
          '--export-profile',
          'srgb',
        ]);
        await run('vips', [
          'thumbnail',
          path.join(out, `a${i}.jpg`),
          path.join(out, `t${i}.jpg[Q=88]`),
          '400',
          '--export-profile',
          'srgb',
        ]);
      }),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rmSync(out, { recursive: true, force: true });
  return (pages / seconds) * 60;
}

const defaultThreads = sharp.concurrency();
const setting = defaultImageConcurrency();
const label = (c: ImageConcurrency) => `${c.pagesInFlight} pages in flight × ${c.threadsPerPage} threads`;
const key = (c: ImageConcurrency) => `pagesPerMin${c.pagesInFlight}x${c.threadsPerPage}`;
const alternatives: ImageConcurrency[] = [
  { pagesInFlight: 2, threadsPerPage: 2 },
  { pagesInFlight: 2, threadsPerPage: 1 },
  { pagesInFlight: 3, threadsPerPage: 1 },
  { pagesInFlight: 1, threadsPerPage: 2 },
].filter((c) => label(c) !== label(setting));
// An untimed pass first: whichever setting ran first paid for libvips' start-up and for reading
// the masters back into the page cache (measured: up to a third slower than the same setting later).
await quire(setting);
const conditions = await recordConditions();
// Every round measures the chosen setting and each alternative, in an order that turns round by
// round, so that the comparison that justifies the choice has medians and spreads too.
const rounds = await alternate(
  ROUNDS,
  async (round) => {
    const all = [setting, ...alternatives];
    const order = all.map((_, i) => all[(i + round) % all.length]!);
    const rates = new Map<string, number>();
    for (const c of order) rates.set(label(c), await quire(c));
    return { chosen: rates.get(label(setting))!, rates };
  },
  vips,
);
const others = Object.fromEntries(
  alternatives.map((c) => [
    key(c),
    summary(
      rounds.quire.map((q) => q.rates.get(label(c))!),
      1,
    ),
  ]),
);
console.log(
  JSON.stringify({
    bench: 'derivatives',
    measures: 'QC + access JPEG + thumbnail of 600-dpi masters vs the vips CLI doing the same work',
    pages,
    ...ratioFigures(rounds.quire.map((q, i) => q.chosen / rounds.baseline[i]!)),
    goalRatio: 1.5,
    sharpDefaultThreads: defaultThreads,
    setting: label(setting),
    quirePagesPerMin: summary(
      rounds.quire.map((q) => q.chosen),
      1,
    ),
    vipsPagesPerMin: summary(rounds.baseline, 1),
    // The other settings, measured in every round beside the chosen one.
    ...others,
    conditions: await conditions(),
  }),
);
