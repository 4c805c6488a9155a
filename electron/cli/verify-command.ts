import type { Command } from 'commander';
import { openCliStation, printJson, withDataOption } from './common';

/**
 * `quire verify`: the station-wide consistency check, one JSON line, exit 1 on any finding.
 * Every captured page in exactly one place, every package numbered 1..N and matching the
 * records and its PREMIS, nothing orphaned or half-written, the audit chain intact.
 */
export function registerVerifyCommand(program: Command): void {
  withDataOption(program.command('verify'))
    .description('check that every captured page is accounted for; exit 1 on any finding')
    .option('--batch <id>', 'only this batch')
    .option('--deep', 're-hash every master against its record (reads every byte)')
    .action(async (opts: { data?: string; batch?: string; deep?: boolean }) => {
      const station = await openCliStation(opts);
      try {
        const report = await station.pipeline.verify({
          ...(opts.batch ? { batchId: opts.batch } : {}),
          deep: opts.deep ?? false,
        });
        printJson(report);
        process.exitCode = report.ok ? 0 : 1;
      } finally {
        await station.close();
      }
    });
}
