// npm run bench -- escl
// A 1 GB job of ~100 MB lossless pages (600 dpi A4 colour, uncompressed TIFF) from the
// simulator's eSCL face over loopback HTTP: EsclDevice posts the job, fetches each document,
// hashes and fsyncs it page by page and names it in order, in a process of its own. Against it,
// the same job's bytes fetched raw by curl from the same simulator (POST ScanJobs, then every
// NextDocument into a file) and synced: the ceiling on this disk. Rounds alternate (Quire, raw,
// Quire, raw, …; QUIRE_BENCH_ROUNDS, at least 3); the ratio is the median of the per-round
// ratios of throughput, with the spread. QUIRE_BENCH_SCALE shrinks the job (0.1 → one page).
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { startEsclSimulator } from '../electron/scanner/simulator/escl/index';
import { recordConditions, withCpuBusy } from './support/conditions';
import { bundleChild, captureFigures, captureInChild, clearAndSync } from './support/capture-rounds';
import { alternate, ROUNDS } from './support/rounds';
import { runTimed } from './support/timed-process';

const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const pages = Math.max(1, Math.round(10 * scale));
const work = path.resolve('bench/.work/escl');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const child = await bundleChild('bench/escl/escl-child.ts', work);

// Every sheet is the same rendering: the simulator holds one 100 MB page, not a gigabyte.
const sim = await startEsclSimulator({
  sheets: null,
  formats: ['image/tiff'],
  pageWidthInches: 8.27,
  pageHeightInches: 11.69,
  distinctPages: false,
});
const masters = path.join(work, 'masters');

const captureOnce = () => captureInChild(child, [sim.url, String(pages)], masters, pages);

// The ScanSettings EsclDevice sends for this job (600 dpi RGB24 TIFF, the whole A4 region).
const settings = `<?xml version="1.0" encoding="UTF-8"?><scan:ScanSettings xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm" xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"><pwg:Version>2.0</pwg:Version><pwg:ScanRegions><pwg:ScanRegion><pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits><pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset><pwg:Width>2481</pwg:Width><pwg:Height>3507</pwg:Height></pwg:ScanRegion></pwg:ScanRegions><pwg:InputSource>Feeder</pwg:InputSource><scan:Duplex>false</scan:Duplex><scan:ColorMode>RGB24</scan:ColorMode><pwg:DocumentFormat>image/tiff</pwg:DocumentFormat><scan:DocumentFormatExt>image/tiff</scan:DocumentFormatExt><scan:XResolution>600</scan:XResolution><scan:YResolution>600</scan:YResolution></scan:ScanSettings>`;

// Baseline: curl posts the same job and fetches every document into a file of its own over
// one connection (the bytes raw: no hashing, no per-page fsync), then the files are synced;
// curl and sync run under GNU time, so the receiving side's CPU is curl's plus sync's.
const raw = path.join(work, 'raw');
const rawFetchOnce = async () => {
  clearAndSync(raw);
  mkdirSync(raw, { recursive: true });
  const files = Array.from({ length: pages }, (_, i) => path.join(raw, `doc-${i + 1}`));
  const started = process.hrtime.bigint();
  const senderBefore = process.cpuUsage();
  const posted = await runTimed('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-D',
    '-',
    '-H',
    'Content-Type: text/xml',
    '--data-binary',
    settings,
    `${sim.url}/ScanJobs`,
  ]);
  const location = /^location:\s*(\S+)/im.exec(posted.stdout)?.[1];
  if (!location) throw new Error(`no Location from ScanJobs: ${posted.stdout}`);
  const job = `http://127.0.0.1:${sim.port}${new URL(location).pathname}`;
  const fetched = await runTimed('curl', [
    '-sS',
    '--fail',
    ...files.flatMap((f) => ['-o', f, `${job}/NextDocument`]),
  ]);
  const synced = await runTimed('sync', files);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sender = process.cpuUsage(senderBefore);
  await runTimed('curl', ['-sS', '-o', '/dev/null', '-X', 'DELETE', job]);
  return {
    seconds,
    bytes: files.reduce((n, f) => n + statSync(f).size, 0),
    cpuSeconds: (posted.cpuSeconds ?? NaN) + (fetched.cpuSeconds ?? NaN) + (synced.cpuSeconds ?? NaN),
    senderCpuSeconds: (sender.user + sender.system) / 1e6,
  };
};

process.stderr.write(`rendering the simulator's page; one untimed capture of ${pages} pages to warm up…\n`);
await captureOnce();
clearAndSync(masters);

const conditions = await recordConditions();
process.stderr.write(`${ROUNDS} rounds of ${pages} pages each way…\n`);
const rounds = await alternate(
  ROUNDS,
  () => withCpuBusy(captureOnce),
  () => withCpuBusy(rawFetchOnce),
);
await sim.stop();
rmSync(work, { recursive: true, force: true });

console.log(
  JSON.stringify({
    bench: 'escl',
    measures:
      'eSCL capture (EsclDevice: ScanJobs, NextDocument, hash, fsync per page) vs curl raw fetch of the same job + sync',
    pages,
    ...captureFigures(rounds.quire, rounds.baseline, 'rawFetch'),
    conditions: await conditions(),
  }),
);
