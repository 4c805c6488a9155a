import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { startCmsEmulator } from '../catalog/emulator';
import { allRecords, exportLido, recordsByIds } from '../catalog/lido/lido-export';
import { idsFromFile } from '../catalog/sync';
import { FileExistsError } from '../storage/index';
import { endProgress, failWith, openCliStation, printJson, progress, withDataOption } from './common';

export function registerCatalogCommands(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('the local catalog synced from the collection-management system');
  withDataOption(catalog.command('sync'))
    .description('fetch, validate and upsert records; one JSON summary line at the end')
    .requiredOption('--api-base <url>', 'the CMS API, e.g. http://127.0.0.1:8787')
    .option('--ids-file <file>', 'asset ids, one per line (streamed)')
    .option('--from-batches', "the accession numbers named by the station's batches")
    .action(async (opts: { data?: string; apiBase: string; idsFile?: string; fromBatches?: boolean }) => {
      if (Boolean(opts.idsFile) === Boolean(opts.fromBatches))
        failWith(2, { code: 'INVALID_ARGUMENT', message: 'give --ids-file or --from-batches (one of them)' });
      if (opts.idsFile && !existsSync(opts.idsFile))
        failWith(2, { code: 'NOT_FOUND', message: `no file ${opts.idsFile}` });
      try {
        new URL(opts.apiBase);
      } catch {
        failWith(2, { code: 'INVALID_ARGUMENT', message: `--api-base ${opts.apiBase} is not a URL` });
      }
      const station = await openCliStation(opts);
      try {
        const ids = opts.idsFile ? idsFromFile(opts.idsFile) : station.catalog.accessionsFromBatches();
        const run = await station.catalog.sync(opts.apiBase, ids, {}, (r) =>
          progress(`${r.fetched} fetched, ${r.upserted} new or changed, ${r.deadLetters} dead letters`),
        );
        endProgress();
        await station.close();
        printJson(run);
        process.exit(run.state === 'completed' && run.deadLetters === 0 ? 0 : 1);
      } catch (error) {
        await station.close();
        failWith(1, { code: 'SYNC_FAILED', message: (error as Error).message });
      }
    });

  withDataOption(catalog.command('export'))
    .description(
      'write the synced records as LIDO 1.1, streamed; exit 0 only when every record asked for was written',
    )
    .requiredOption('--format <format>', 'the export format: lido')
    .requiredOption('--out <file>', 'the file to write (never replaced if it exists)')
    .option('--ids-file <file>', 'accession numbers, one per line (default: every synced record)')
    .action(async (opts: { data?: string; format: string; out: string; idsFile?: string }) => {
      if (opts.format.toLowerCase() !== 'lido')
        failWith(2, { code: 'INVALID_ARGUMENT', message: `--format ${opts.format}: only lido is offered` });
      if (opts.idsFile && !existsSync(opts.idsFile))
        failWith(2, { code: 'NOT_FOUND', message: `no file ${opts.idsFile}` });
      if (existsSync(opts.out))
        failWith(2, { code: 'EXISTS', message: `${opts.out} exists; it is never overwritten` });
      const station = await openCliStation(opts);
      try {
        const records = opts.idsFile
          ? recordsByIds(idsFromFile(opts.idsFile), (id) => station.catalog.get(id))
          : allRecords(station.catalog.records.each());
        const result = await exportLido(records, opts.out, {
          organization: station.settings.get().organizationName,
          today: new Date().toISOString().slice(0, 10),
        });
        await station.close();
        printJson({ format: 'lido', ...result });
        process.exit(result.leftOut.length === 0 && result.notInCatalog.length === 0 ? 0 : 1);
      } catch (error) {
        await station.close();
        if (error instanceof FileExistsError)
          failWith(2, { code: 'EXISTS', message: `${opts.out} exists; it is never overwritten` });
        failWith(1, { code: 'EXPORT_FAILED', message: (error as Error).message });
      }
    });

  program
    .command('cms-emulator')
    .description('a collection-management API on loopback: GET /assets/{id} (OBJ-000001 …)')
    .option('--port <port>', 'port (default: a free one)', '0')
    .option('--count <n>', 'how many assets exist', '10000')
    .option('--latency-ms <ms>', 'delay before each answer', '0')
    .action(async (opts: { port: string; count: string; latencyMs: string }) => {
      const emulator = await startCmsEmulator(
        { count: Number(opts.count), latencyMs: Number(opts.latencyMs) },
        Number(opts.port),
      );
      printJson({ url: emulator.url, port: emulator.port, count: Number(opts.count) });
      const stop = async () => {
        await emulator.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
