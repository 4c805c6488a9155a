import type { Command } from 'commander';
import { readLabStatus } from '../queue/module';
import { failWith, openCliStation, printJson, withDataOption } from './common';
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
    .description('stations seen with their last heartbeat and queues, and job counts per queue and state')
    .option('--lab <url>', "the lab's Redis (default: $QUIRE_LAB_REDIS)")
    .action(async (opts: { lab?: string }) => {
      const url = opts.lab ?? process.env.QUIRE_LAB_REDIS;
      if (!url)
        failWith(2, { code: 'INVALID_INPUT', message: 'quire lab status needs --lab redis://HOST:PORT' });
      try {
        printJson(await readLabStatus(url));
        process.exit(0);
      } catch (error) {
        failWith(
          1,
          { code: 'LAB_UNREACHABLE', message: (error as Error).message },
          { lab: url, connected: false },
        );
      }
    });
}
