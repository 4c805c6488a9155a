// npm run bench -- transfer
// Throughput of `quire transfer` to a loopback sshd (Debian's OpenSSH, started on a free port
// from a config file of its own) against OpenSSH's own `sftp -b` putting the same files, in the
// same run, alternating rounds; goal ≥ 0.9× sftp. Quire's figure is its sending phase (the
// read-back verification that follows has no counterpart in sftp and is reported apart). Then
// the same package with a 50M limit (50 MiB/s): the measured rate, goal within 5% of it.
// QUIRE_BENCH_SCALE scales the package (1 = 2 GiB of masters); QUIRE_BENCH_ROUNDS the rounds.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../electron/storage/index';
import { SftpDestination } from '../electron/transfer/sftp-destination';
import { parseRate, TokenBucket, TransferProgressStore, transferPackage } from '../electron/transfer/index';
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
const db = openDatabase(path.join(work, 'quire.db'));

let roundNo = 0;
async function quire(limit: string | null) {
  roundNo += 1;
  const root = path.join(sshd.root, `quire-${roundNo}`);
  mkdirSync(root);
  // A fresh store each round: nothing to resume, everything is sent.
  const store = new TransferProgressStore(db);
  db.exec('DELETE FROM transfer_files; DELETE FROM transfers;');
  const limiter = new TokenBucket({ rate: limit ? parseRate(limit) : null });
  const result = await transferPackage({
    packageDir: bag,
    destination: new SftpDestination({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      root,
      privateKey: sshd.identity,
      pins: store,
    }),
    store,
    limiter,
    verify: 'all',
  });
  if (!result.verified) throw new Error(`not verified: ${result.errors.join('; ')}`);
  rmSync(root, { recursive: true, force: true });
  return {
    mbps: result.bytesSent / MiB / result.sendSeconds,
    verifySeconds: result.seconds - result.sendSeconds,
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
      quireVerifySeconds: summary(
        rounds.quire.map((q) => q.verifySeconds),
        1,
      ),
      limitMiBps: 50,
      limitedMiBps: summary(limited, 2),
      limitErrorMedian: summary(rateErrors, 4).median,
      goalLimitError: 0.05,
      conditions: await conditions(),
    }),
  );
} finally {
  db.close();
  await sshd.stop();
  if (statSync(work, { throwIfNoEntry: false })) rmSync(work, { recursive: true, force: true });
}
