// npm run bench -- transfer
// Throughput of `quire transfer` to a loopback sshd (Debian's OpenSSH, started on a free port
// from a config file of its own) against OpenSSH's own `sftp -b` putting the same files, in the
// same run, alternating rounds; goal ≥ 0.9× sftp. Quire runs as an operator runs it, the built
// CLI through bin/quire.cjs (which starts `transfer` with V8's single-threaded GC, see there);
// its figure is the sending phase its JSON reports (the read-back verification that follows has
// no counterpart in sftp and is reported apart, as is the whole command's time). Records whether
// ssh2's native crypto binding (`npm rebuild ssh2`) was built: without it ssh2 encrypts in JS. Then
// the same package with a 50M limit (50 MiB/s): the measured rate, goal within 5% of it.
// QUIRE_BENCH_SCALE scales the package (1 = 2 GiB of masters); QUIRE_BENCH_ROUNDS the rounds.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { sshdMissing, startSshd } from '../test/helpers/sshd';
import { makeBag } from '../test/integration/transfer/fixture';
import { recordConditions } from './support/conditions';
import { alternate, ratioFigures, ROUNDS, round, summary } from './support/rounds';
import { sftpBatchArgs } from './support/sftp-baseline';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const masters = Math.max(2, Math.round(20 * scale));
const masterBytes = Math.round((2048 / 20) * MiB);
const work = path.resolve('bench/.work/transfer');

const missing = sshdMissing();
if (missing) {
  console.log(JSON.stringify({ bench: 'transfer', skipped: missing }));
  process.exit(0);
}
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
process.stderr.write('building the CLI…\n');
execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
const ssh2Binding = (
  createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean }
).bindingAvailable;
process.stderr.write(`preparing a package of ${masters} masters of ${masterBytes / MiB} MiB…\n`);
// makeBag holds each file in memory once while writing it: ~100 MiB at a time.
const bag = makeBag(
  work,
  'BENCH',
  Array.from({ length: masters }, () => masterBytes),
  [200_000, 200_000],
);
const packageBytes = (await run('du', ['-sb', bag])).stdout.split('\t')[0];
const sshd = await startSshd(path.join(work, 'sshd'));

let roundNo = 0;
const launcher = path.resolve('bin/quire.cjs');
const dataDir = path.join(work, 'station');

/** A round of `quire transfer` itself, started as an operator starts it (bin/quire.cjs). */
async function quire(limit: string | null) {
  roundNo += 1;
  const root = path.join(sshd.root, `quire-${roundNo}`);
  mkdirSync(root);
  const args = [launcher, 'transfer', bag, `sftp://${sshd.user}@${sshd.host}:${sshd.port}${root}`];
  args.push('--identity', sshd.identityFile, '--verify', 'all', '--data', dataDir);
  if (limit) args.push('--limit-rate', limit);
  const started = performance.now();
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * MiB });
  const wallSeconds = (performance.now() - started) / 1000;
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
    verified: boolean;
    bytesSent: number;
    sendSeconds: number;
    seconds: number;
    errors?: string[];
  };
  if (!result.verified) throw new Error(`not verified: ${JSON.stringify(result)}`);
  rmSync(root, { recursive: true, force: true });
  return {
    mbps: result.bytesSent / MiB / result.sendSeconds,
    verifySeconds: result.seconds - result.sendSeconds,
    wallSeconds,
  };
}

async function sftp(): Promise<number> {
  roundNo += 1;
  const root = path.join(sshd.root, `sftp-${roundNo}`);
  mkdirSync(root);
  const batch = path.join(work, 'sftp-batch');
  writeFileSync(batch, `put -r ${bag} ${root}/BENCH\n`);
  const started = performance.now();
  await run('sftp', sftpBatchArgs(sshd, batch));
  const seconds = (performance.now() - started) / 1000;
  if (!existsSync(path.join(root, 'BENCH', 'bagit.txt'))) throw new Error('sftp did not copy the package');
  rmSync(root, { recursive: true, force: true });
  return Number(packageBytes) / MiB / seconds;
}

try {
  // An untimed pass of each first: the package into the page cache, sshd's first connections.
  await quire(null);
  await sftp();
  const conditions = await recordConditions();
  const rounds = await alternate(ROUNDS, () => quire(null), sftp);
  const limited: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    process.stderr.write(`limited round ${i + 1} of ${ROUNDS}…\n`);
    limited.push((await quire('50M')).mbps);
  }
  const rateErrors = limited.map((m) => Math.abs(m - 50) / 50);
  console.log(
    JSON.stringify({
      bench: 'transfer',
      measures: 'sending a package over SFTP to a loopback sshd vs OpenSSH sftp -b put -r of the same files',
      packageMiB: round(Number(packageBytes) / MiB, 1),
      ...ratioFigures(rounds.quire.map((q, i) => q.mbps / rounds.baseline[i]!)),
      goalRatio: 0.9,
      quireMiBps: summary(
        rounds.quire.map((q) => q.mbps),
        1,
      ),
      sftpMiBps: summary(rounds.baseline, 1),
      quireCommandSeconds: summary(
        rounds.quire.map((q) => q.wallSeconds),
        1,
      ),
      quireVerifySeconds: summary(
        rounds.quire.map((q) => q.verifySeconds),
        1,
      ),
      limitMiBps: 50,
      limitedMiBps: summary(limited, 2),
      limitErrorMedian: summary(rateErrors, 4).median,
      goalLimitError: 0.05,
      ssh2NativeCrypto: ssh2Binding,
      conditions: await conditions(),
    }),
  );
} finally {
  await sshd.stop();
  if (statSync(work, { throwIfNoEntry: false })) rmSync(work, { recursive: true, force: true });
}
