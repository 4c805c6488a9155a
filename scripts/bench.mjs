// `npm run bench -- NAME` runs bench/NAME.ts and passes its output through (it ends with one
// JSON line of figures). `npm run bench` runs every benchmark in turn and rewrites
// docs/benchmarks.md from their JSON lines. Benchmarks measure their baseline in the same run,
// so a ratio is comparable across machines; timings never appear in tests.
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
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

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  '# Benchmarks',
  '',
  `Rewritten by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}.`,
  'Each benchmark measures its baseline in the same run and reports the ratio; see bench/NAME.ts for what exactly is compared.',
  '',
];
for (const r of results) {
  lines.push(`## ${r.name}`, '');
  if (!r.figures) {
    lines.push(`Did not finish (exit ${r.code}); no figures.`, '');
    continue;
  }
  lines.push('| figure | value |', '|---|---|');
  for (const [key, value] of Object.entries(r.figures))
    lines.push(`| ${key} | ${typeof value === 'object' ? JSON.stringify(value) : value} |`);
  lines.push('');
}
mkdirSync('docs', { recursive: true });
writeFileSync('docs/benchmarks.md', lines.join('\n'));
console.log('wrote docs/benchmarks.md');
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
