// `npm test`: builds, then runs every suite (vitest unit + integration, Playwright browser and
// Electron e2e) and ends with one line `N passed, N failed, N skipped` covering all of them.
// A suite that crashes without a report counts as a failure, never as zero tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
mkdirSync('test-results', { recursive: true });

function run(label, command, args) {
  process.stdout.write(`\n=== ${label}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  return result.status ?? 1;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

if (run('build', 'node', ['scripts/build.mjs']) !== 0) problems.push('build failed');

if (!only || only === 'unit') {
  const report = 'test-results/unit-report.json';
  rmSync(report, { force: true });
  const status = run('unit + integration', 'npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${report}`,
  ]);
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    // A file that fails to load has no tests in the counts: count it as a failure.
    const brokenFiles = (r.testResults ?? []).filter(
      (f) => f.status === 'failed' && f.assertionResults.length === 0,
    );
    totals.failed += brokenFiles.length;
    if (status !== 0 && r.numFailedTests === 0 && brokenFiles.length === 0)
      problems.push(`vitest exited ${status}`);
  } else {
    problems.push('vitest produced no report');
  }
}

if (!only || only === 'e2e') {
  const report = 'test-results/e2e-report.json';
  rmSync(report, { force: true });
  const status = run('e2e (Chromium + Electron)', 'npx', ['playwright', 'test']);
  if (existsSync(report)) {
    const s = JSON.parse(readFileSync(report, 'utf8')).stats;
    totals.passed += s.expected + s.flaky;
    totals.failed += s.unexpected;
    totals.skipped += s.skipped;
    if (status !== 0 && s.unexpected === 0) problems.push(`playwright exited ${status}`);
  } else {
    problems.push('playwright produced no report');
  }
}

totals.failed += problems.length;
for (const p of problems) process.stdout.write(`problem: ${p}\n`);
process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(totals.failed > 0 ? 1 : 0);
