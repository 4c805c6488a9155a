import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { transferRefusal } from '../pipeline/transfer-stage';
import {
  destinationFromUrl,
  parseSchedule,
  TokenBucket,
  TransferError,
  TransferProgressStore,
  transferPackage,
  type DestinationSecrets,
  type TransferProgress,
} from '../transfer/index';
import {
  cliActor,
  endProgress,
  failWith,
  openCliStation,
  printJson,
  progress,
  withDataOption,
} from './common';

/** The batch whose package `packageDir` is, when it sits in the station's packages folder. */
async function batchOfPackage(packagesDir: string, packageDir: string): Promise<string | null> {
  const [packages, dir] = await Promise.all([
    fs.realpath(packagesDir).catch(() => null),
    fs.realpath(packageDir).catch(() => null),
  ]);
  return packages && dir && path.dirname(dir) === packages ? path.basename(dir) : null;
}

interface TransferOptions {
  data?: string;
  limitRate?: string;
  identity?: string;
  credentials?: string;
  verify: string;
  retries: string;
}

/** Reads a secret file, refusing one that other users can read (as ssh does with a key). */
async function readPrivateFile(file: string, what: string): Promise<Buffer> {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat) failWith(2, { code: 'BAD_ARGUMENT', message: `${what} ${file} does not exist` });
  if ((stat.mode & 0o077) !== 0)
    failWith(2, {
      code: 'BAD_ARGUMENT',
      message: `${what} ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`,
    });
  return fs.readFile(file);
}

async function secretsFrom(opts: TransferOptions): Promise<DestinationSecrets> {
  const secrets: DestinationSecrets = {};
  if (opts.identity) secrets.privateKey = await readPrivateFile(opts.identity, 'identity file');
  if (opts.credentials) {
    const raw = (await readPrivateFile(opts.credentials, 'credentials file')).toString('utf8');
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    for (const key of ['accessKeyId', 'secretAccessKey', 'passphrase'] as const)
      if (typeof parsed[key] === 'string') secrets[key] = parsed[key];
  }
  return secrets;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function showProgress(p: TransferProgress): void {
  const done = p.bytesSent + p.bytesSkipped;
  const left = p.rate > 0 ? Math.round((p.bytesTotal - done) / p.rate) : null;
  progress(
    p.phase === 'verifying'
      ? 'verifying at the destination…'
      : `${mb(done)} of ${mb(p.bytesTotal)} (${mb(p.bytesSkipped)} already there) at ${mb(p.rate)}/s` +
          (left !== null ? `, ${left} s left` : ''),
  );
}

/**
 * `quire transfer PACKAGE_DIR DEST`: sends a finished package to repository storage, resuming
 * an interrupted transfer, and verifies it there. One JSON line; exit 0 only when verified.
 */
export function registerTransferCommand(program: Command): void {
  withDataOption(program.command('transfer <packageDir> <destination>'))
    .description(
      'send a package to file:///…, sftp://user@host:port/… or s3://bucket/…; resumes; exit 0 only when verified',
    )
    .option('--limit-rate <rate>', 'bytes per second (50M, 800K), or a schedule: 20M@08:00-18:00,unlimited')
    .option('--identity <keyfile>', 'SSH private key for sftp:// (must be readable by you only)')
    .option('--credentials <file>', 'JSON with accessKeyId/secretAccessKey (S3) or passphrase; mode 0600')
    .option('--verify <mode>', 'read back every file (all) or a sample plus all tag files (sample)', 'all')
    .option('--retries <n>', 'reconnections after a dropped connection', '3')
    .action(async (packageDir: string, dest: string, opts: TransferOptions) => {
      if (opts.verify !== 'all' && opts.verify !== 'sample')
        failWith(2, { code: 'BAD_ARGUMENT', message: `--verify must be all or sample, not ${opts.verify}` });
      let limiter: TokenBucket;
      try {
        limiter = new TokenBucket(parseSchedule(opts.limitRate ?? 'unlimited'));
      } catch (error) {
        failWith(2, { code: 'BAD_ARGUMENT', message: (error as Error).message });
      }
      const secrets = await secretsFrom(opts);
      const station = await openCliStation(opts);
      // A package in this station's packages folder is a batch's: the console's rule applies.
      const batchId = await batchOfPackage(station.layout.packages, packageDir);
      const refusal =
        batchId && transferRefusal(batchId, station.pipeline.store.summary(batchId)?.stage ?? null);
      if (refusal) {
        await station.close();
        failWith(1, { code: 'CONFLICT', message: refusal }, { verified: false });
      }
      const store = new TransferProgressStore(station.db);
      let destination;
      try {
        destination = destinationFromUrl(dest, { pins: store, secrets });
        const result = await transferPackage({
          packageDir,
          destination,
          store,
          limiter,
          verify: opts.verify as 'all' | 'sample',
          recorder: station.audit,
          person: cliActor().username,
          retries: Number(opts.retries),
          onProgress: showProgress,
        });
        endProgress();
        printJson(result);
        process.exitCode = result.verified ? 0 : 1;
      } catch (error) {
        endProgress();
        const code = error instanceof TransferError ? error.code : 'TRANSFER_FAILED';
        printJson({ verified: false, error: { code, message: (error as Error).message } });
        process.exitCode = 1;
      } finally {
        await destination?.close();
        await station.close();
      }
    });
}
