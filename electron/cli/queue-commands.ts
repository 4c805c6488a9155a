import type { Command } from 'commander';
import { StationError } from '../core/station-error';
import { toJobSummary } from '../queue/module';
import { cliActor, failWith, openCliStation, printJson, withDataOption } from './common';

/** `quire queue list|show|retry|cancel` on a station's data folder (the app may be running: SQLite WAL). */
export function registerQueueCommands(program: Command): void {
  const queue = program.command('queue').description("inspect and act on a station's job queue");

  withDataOption(queue.command('list'))
    .description('list jobs (newest first)')
    .option('--state <state>', 'waiting, delayed, active, completed, retrying, quarantined or cancelled')
    .option('--queue <name>', 'queue name, e.g. compute or device:sim-1')
    .option('--type <type>', 'job type')
    .option('--batch <id>', 'batch id')
    .option('--text <text>', 'text in the payload')
    .option('--limit <n>', 'at most this many', '100')
    .action(
      async (opts: {
        data?: string;
        state?: string;
        queue?: string;
        type?: string;
        batch?: string;
        text?: string;
        limit: string;
      }) => {
        await withStation(opts, async (station) => {
          const page = await station.queue.list({
            state: opts.state as never,
            queue: opts.queue,
            type: opts.type,
            batchId: opts.batch,
            text: opts.text,
            limit: Number(opts.limit),
          });
          return { total: page.total, items: page.items.map(toJobSummary) };
        });
      },
    );

  withDataOption(queue.command('retry-all'))
    .description('run every quarantined job of a queue again (not those of a finished or quarantined batch)')
    .argument('<queue>', 'queue name, e.g. compute or device:sim-1')
    .action(async (name: string, opts: { data?: string }) => {
      await withStation(opts, (station) => station.pipeline.retryAllFailed(name, cliActor()));
    });

  for (const [name, description] of [
    ['show', 'one job with its attempt history'],
    ['retry', 'run a quarantined or cancelled job again (refused for a finished or quarantined batch)'],
    ['cancel', 'cancel a job that has not started'],
  ] as const) {
    withDataOption(queue.command(name))
      .description(description)
      .argument('<id>', 'job id')
      .action(async (id: string, opts: { data?: string }) => {
        await withStation(opts, async (station) => {
          if (name === 'show') {
            const { job, attempts } = await station.queue.show(id);
            return { ...job, attempts };
          }
          // The same rules as the console: the pipeline decides whether a batch's job may run again.
          return name === 'retry'
            ? station.pipeline.retryJob(id, cliActor())
            : toJobSummary(await station.queue.cancel(id));
        });
      });
  }
}

async function withStation(
  opts: { data?: string },
  action: (station: Awaited<ReturnType<typeof openCliStation>>) => unknown,
): Promise<void> {
  const station = await openCliStation(opts);
  try {
    printJson(await action(station));
    await station.close();
    process.exit(0);
  } catch (error) {
    await station.close();
    if (error instanceof StationError) failWith(1, { code: error.code, message: error.message });
    throw error;
  }
}
