import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type pg from 'pg';
import { failWith, printJson } from './common';

/** The lab database's URL: `--lab-db`, else QUIRE_LAB_DATABASE. */
export function labDatabaseUrl(opts: { labDb?: string }): string | undefined {
  return opts.labDb ?? process.env.QUIRE_LAB_DATABASE ?? undefined;
}

/** The lab database's modules, loaded when a command needs them. */
const labDatabase = () => import('./lab-database-access');

async function withLabPool<T>(url: string, work: (pool: pg.Pool) => Promise<T>) {
  const { openLabPool } = await labDatabase();
  let pool;
  try {
    pool = openLabPool(url, { max: 2 });
  } catch (error) {
    failWith(2, { code: 'INVALID_ARGUMENT', message: (error as Error).message });
  }
  try {
    return await work(pool);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const unreachable = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT';
    failWith(1, {
      code: unreachable ? 'LAB_DATABASE_UNREACHABLE' : 'LAB_DATABASE_FAILED',
      message: unreachable
        ? `the lab database at ${new URL(url).host} did not answer (${code})`
        : (error as Error).message,
    });
  } finally {
    await pool.end().catch(() => {});
  }
}

/**
 * `quire lab migrate`. The `lab` group may already exist (lab status, from the queue side):
 * its subcommands are added to it.
 */
export function registerLabDatabaseCommands(program: Command): void {
  const lab =
    program.commands.find((c) => c.name() === 'lab') ??
    program.command('lab').description('a lab of stations sharing a queue and a database');
  lab
    .command('migrate')
    .description("bring the lab database's schema up to date (numbered, append-only migrations)")
    .option('--lab-db <url>', 'postgres://user@host:port/database (default: $QUIRE_LAB_DATABASE)')
    .action(async (opts: { labDb?: string }) => {
      const url = labDatabaseUrl(opts);
      if (!url) failWith(2, { code: 'INVALID_ARGUMENT', message: 'give --lab-db or set QUIRE_LAB_DATABASE' });
      const { migrateLab } = await labDatabase();
      const result = await withLabPool(url, (pool) => migrateLab(pool));
      printJson(result);
    });
  lab
    .command('import')
    .description(
      "move a single station's people, batches and audit log into the lab database, once, verified",
    )
    .requiredOption('--data <dir>', "the station's data folder (only read; stop the station first)")
    .requiredOption('--station <name>', "the station's name in the lab")
    .option('--lab-db <url>', 'postgres://user@host:port/database (default: $QUIRE_LAB_DATABASE)')
    .action(async (opts: { data: string; station: string; labDb?: string }) => {
      const url = labDatabaseUrl(opts);
      if (!url) failWith(2, { code: 'INVALID_ARGUMENT', message: 'give --lab-db or set QUIRE_LAB_DATABASE' });
      const database = path.join(path.resolve(opts.data), 'quire.db');
      if (!existsSync(database))
        failWith(2, {
          code: 'INVALID_ARGUMENT',
          message: `${opts.data} is not a Quire data folder (no quire.db in it)`,
        });
      const { importStation, LabImportRefused, migrateLab } = await labDatabase();
      const report = await withLabPool(url, async (pool) => {
        await migrateLab(pool);
        try {
          return await importStation({ dataDir: opts.data, station: opts.station, pool });
        } catch (error) {
          if (error instanceof LabImportRefused)
            failWith(1, { code: 'LAB_IMPORT_REFUSED', message: error.message });
          throw error;
        }
      });
      printJson(report);
    });
}

/** `quire audit verify --lab-db URL`: the whole lab's chain and every station's chain within it. */
export async function verifyLabAudit(url: string): Promise<void> {
  const { verifyLabChain } = await labDatabase();
  const result = await withLabPool(url, (pool) => verifyLabChain(pool));
  if (!result.ok) failWith(1, { code: 'CHAIN_BROKEN', message: result.reason ?? 'broken' }, { ...result });
  printJson(result);
}
