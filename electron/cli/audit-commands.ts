import path from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../storage/index';
import { failWith, openCliStation, printJson, withDataOption } from './common';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description("the station's hash-chained PREMIS audit log");

  withDataOption(audit.command('verify'))
    .description('recompute the hash chain; exit 1 if any event was edited or deleted')
    .action(async (opts: { data?: string }) => {
      const station = await openCliStation(opts);
      const result = station.audit.verify();
      await station.close();
      if (!result.ok) failWith(1, { code: 'CHAIN_BROKEN', message: result.reason ?? 'broken' }, result);
      printJson(result);
      process.exit(0);
    });

  withDataOption(audit.command('export'))
    .description('write the events (of one batch, or all) as PREMIS 3 XML')
    .requiredOption('--out <file>', 'the XML file to write (never overwrites)')
    .option('--object <id>', 'only events of this batch or file')
    .action(async (opts: { data?: string; out: string; object?: string }) => {
      const station = await openCliStation(opts);
      const xml = station.audit.premisXml(opts.object);
      await station.close();
      try {
        const sha256 = await writeFileAtomic(path.resolve(opts.out), xml);
        printJson({ out: path.resolve(opts.out), bytes: Buffer.byteLength(xml), sha256 });
        process.exit(0);
      } catch (error) {
        failWith(1, { code: 'WRITE_FAILED', message: (error as Error).message });
      }
    });
}
