import type { Command } from 'commander';
import { readLabStatus } from '../queue/module';
import type { LabDatabaseStatus } from '../records/postgres/lab-status';
import { failWith, openCliStation, printJson, withDataOption } from './common';
import { labDatabaseUrl } from './lab-database-commands';
import { labDatabaseFromCli, labFromCli, withLabOptions, type LabCliOptions } from './lab-options';

/**
 * `quire worker`: a station without scanners or window that runs the lab's shared jobs (a
 * spare PC or a server); `quire lab status`: the lab as its Redis sees it, in one JSON line.
 */
export function registerLabCommands(program: Command): void {
  withLabOptions(withDataOption(program.command('worker')))
    .description("run the lab's compute and io jobs on this machine (no scanners, no window)")
    .action(async (opts: LabCliOptions & { data?: string }) => {
      let lab;
      try {
        lab = labFromCli({ queues: 'compute,io', ...opts });
      } catch (error) {
        failWith(2, { code: 'INVALID_INPUT', message: (error as Error).message });
      }
      if (!lab) failWith(2, { code: 'INVALID_INPUT', message: 'quire worker needs --lab redis://HOST:PORT' });
      let station;
      try {
        station = await openCliStation(opts, {
          runWorkers: true,
          lab,
          labDatabase: labDatabaseFromCli(opts),
        });
      } catch (error) {
        failWith(1, { code: 'LAB_REFUSED', message: (error as Error).message });
      }
      const stop = async () => {
        await station.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      printJson({ worker: lab.station, lab: station.queue.connection(), dataDir: station.layout.root });
    });

  const lab = program.command('lab').description("the lab's shared queue (lab mode)");
  lab
    .command('status')
    .description(
      'stations seen with their last heartbeat and queues, and job counts per queue and state; with --lab-db, what each station has sent to the lab database',
    )
    .option('--lab <url>', "the lab's Redis (default: $QUIRE_LAB_REDIS)")
    .option('--lab-db <url>', "the lab's PostgreSQL (default: $QUIRE_LAB_DATABASE)")
    .action(async (opts: { lab?: string; labDb?: string }) => {
      const url = opts.lab ?? process.env.QUIRE_LAB_REDIS;
      const databaseUrl = labDatabaseUrl(opts);
      if (!url && !databaseUrl)
        failWith(2, {
          code: 'INVALID_INPUT',
          message: 'quire lab status needs --lab redis://HOST:PORT, --lab-db postgres://…, or both',
        });
      const queue = url ? await readLabStatus(url).catch((error: Error) => error) : null;
      const database = databaseUrl ? await readDatabaseStatus(databaseUrl) : null;
      const failed = queue instanceof Error || database instanceof Error;
      const line = {
        ...(queue instanceof Error ? { lab: url, connected: false } : (queue ?? {})),
        ...(database
          ? { database: database instanceof Error ? { connected: false, error: database.message } : database }
          : {}),
      };
      if (!failed) {
        printJson(line);
        process.exit(0);
      }
      const message = [queue, database].filter((e): e is Error => e instanceof Error).map((e) => e.message);
      failWith(
        1,
        {
          code: queue instanceof Error ? 'LAB_UNREACHABLE' : 'LAB_DATABASE_UNREACHABLE',
          message: message.join('; '),
        },
        line,
      );
    });
}

/** The lab database's side of `lab status`, or why it could not be read. */
async function readDatabaseStatus(url: string): Promise<LabDatabaseStatus | Error> {
  const { openLabPool, readLabDatabaseStatus } = await import('./lab-database-access');
  let pool;
  try {
    pool = openLabPool(url, { max: 2 });
  } catch (error) {
    return error as Error;
  }
  try {
    return await readLabDatabaseStatus(pool);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && /^E[A-Z]+$/.test(code)
      ? new Error(`the lab database at ${new URL(url).host} did not answer (${code})`)
      : (error as Error);
  } finally {
    await pool.end().catch(() => {});
  }
}
