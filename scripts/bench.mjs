// `npm run bench -- NAME` runs bench/NAME.ts and passes its output through (it ends with one
// JSON line of figures). `npm run bench` runs every benchmark in turn and rewrites
// docs/benchmarks.md from their JSON lines. Benchmarks measure their baseline in the same run,
// in alternating rounds, and report the median ratio with its spread and what the machine was
// doing (bench/support/); timings never appear in tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const all = readdirSync('bench')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

function runOne(name) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', `bench/${name}.ts`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      let figures = null;
      try {
        figures = JSON.parse(last);
      } catch {
        figures = null;
      }
      resolve({ name, code, figures });
    });
  });
}

if (names.length) {
  for (const name of names) {
    if (!all.includes(name)) {
      console.error(`unknown benchmark "${name}"; available: ${all.join(', ')}`);
      process.exit(2);
    }
  }
  let failed = false;
  for (const name of names) failed = (await runOne(name)).code !== 0 || failed;
  process.exit(failed ? 1 : 0);
}

const results = [];
for (const name of all) results.push(await runOne(name));

const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
const spread = (v) => (Array.isArray(v) ? `${v[0]}–${v[1]}` : null);
/** `{median, min, max}` reads as "median (min–max)"; other values as they are. */
const show = (v) =>
  v && typeof v === 'object' && 'median' in v
    ? `${v.median} (${v.min}–${v.max})`
    : typeof v === 'object' && v !== null
      ? JSON.stringify(v)
      : String(v);
const sample = (s) =>
  `load ${s.loadAverage.join(' / ')}, CPUs ${s.cpuBusyPercent} % busy` +
  (s.busy.length
    ? ` (${s.busy.map((p) => `${p.command} ${p.cpuPercent} %`).join(', ')})`
    : ', no other busy process');

const lines = [
  `Rewritten by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}.`,
  '',
  'Each benchmark measures its baseline in the same run, in alternating rounds (Quire, baseline, Quire, baseline, …; at least 3 each).',
  'The **ratio** is the median of the per-round ratios; the **spread** is the lowest and highest per-round ratio. A best round is never the figure.',
  'Figures written `m (a–b)` are the median over rounds and its spread. "What was running" is sampled for one second before and after the rounds.',
  '',
];
for (const r of results) {
  lines.push(`### ${r.name}`, '');
  if (!r.figures) {
    lines.push(`Did not finish (exit ${r.code}); no figures.`, '');
    continue;
  }
  const { bench: _bench, measures, ratio, ratioSpread, rounds, goalRatio, conditions, ...rest } = r.figures;
  if (measures) lines.push(`Measures: ${measures}.`, '');
  if (ratio !== undefined)
    lines.push(
      `**Ratio ${ratio ?? 'n/a'}×** (median of ${rounds ?? '?'} rounds; spread ${spread(ratioSpread) ?? 'n/a'}; goal ≥ ${goalRatio ?? 'n/a'}×).`,
      '',
    );
  if (conditions)
    lines.push(
      `Machine: ${conditions.cpus} × ${conditions.cpuModel}. What was running: before, ${sample(conditions.before)}; after, ${sample(conditions.after)}.`,
      '',
    );
  lines.push('| figure | value |', '|---|---|');
  for (const [key, value] of Object.entries(rest)) lines.push(`| ${key} | ${show(value)} |`);
  lines.push('');
}
// Only the figures between the markers are regenerated; the prose around them is kept.
const START = '<!-- figures:start (written by npm run bench; do not edit by hand) -->';
const END = '<!-- figures:end -->';
mkdirSync('docs', { recursive: true });
const doc = existsSync('docs/benchmarks.md') ? readFileSync('docs/benchmarks.md', 'utf8') : '# Benchmarks\n';
const figures = `${START}\n\n${lines.join('\n')}\n${END}`;
const [head, tail] =
  doc.includes(START) && doc.includes(END)
    ? [doc.slice(0, doc.indexOf(START)), doc.slice(doc.indexOf(END) + END.length)]
    : [`${doc.trimEnd()}\n\n## Figures\n\n`, '\n'];
writeFileSync('docs/benchmarks.md', head + figures + tail);
console.log('wrote docs/benchmarks.md');
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
