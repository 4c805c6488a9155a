import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { BatchSummary } from '../../shared/contract/index';
import { MANIFEST_LIMITS, manifestShapeProblem } from '../../shared/domain/manifest';
import { conflict, StationError } from '../core/station-error';
import { verifyManifest } from '../pipeline/manifest/verify-manifest';
import type { Station } from '../station';
import { failWith, openCliStation, printJson, progress, endProgress, withDataOption } from './common';
import { labDatabaseFromCli, labFromCli, withLabOptions, type LabCliOptions } from './lab-options';

const FINAL = new Set(['completed', 'quarantined', 'rejected', 'cancelled']);

/**
 * `quire batch run MANIFEST.json`: one batch through the whole pipeline, headless. When the
 * manifest's device is a simulated scanner (sim-N), the command starts the simulators itself.
 */
export function registerBatchCommands(program: Command): void {
  const batch = program
    .command('batch')
    .description('batches: manifest → capture → QC → derivatives → package');
  withLabOptions(withDataOption(batch.command('run')))
    .description('run one batch to its end; exit 0 only when its package is complete')
    .argument('<manifest>', 'the batch manifest JSON file')
    .option('--resume', 'if the batch already exists (same manifest), go on with it instead of refusing')
    .action(async (file: string, opts: LabCliOptions & { data?: string; resume?: boolean }) => {
      let manifest: unknown;
      try {
        // Four times the canonical limit leaves room for indentation; beyond it, nothing is read.
        const { size } = statSync(path.resolve(file));
        if (size > MANIFEST_LIMITS.maxBytes * 4)
          throw new Error(`the file has ${size} bytes; a manifest is at most ${MANIFEST_LIMITS.maxBytes}`);
        manifest = JSON.parse(readFileSync(path.resolve(file), 'utf8'));
        const problem = manifestShapeProblem(manifest);
        if (problem) throw new Error(problem);
      } catch (error) {
        failWith(2, { code: 'INVALID_MANIFEST', message: `${file}: ${(error as Error).message}` });
      }
      const device = (manifest as { device?: unknown }).device;
      const simulated = typeof device === 'string' ? /^sim-(\d{1,2})$/.exec(device) : null;
      const pages = (manifest as { expected_pages?: unknown }).expected_pages;
      // Workers start only once the batch is this command's to run: started first, they would
      // pick up the existing batch's waiting jobs before a CONFLICT said nothing was changed.
      const station = await openCliStation(opts, {
        lab: labFromCli(opts),
        labDatabase: labDatabaseFromCli(opts),
        runWorkers: false,
        simulators: simulated ? Number(simulated[1]) : 0,
        simulatorSheets: typeof pages === 'number' ? pages : 10,
      });
      let summary: BatchSummary;
      try {
        summary = await createOrResume(station, manifest, opts.resume === true);
      } catch (error) {
        await station.close();
        if (error instanceof StationError) {
          const hint =
            error.code === 'CONFLICT' && !opts.resume ? ' (--resume goes on with the existing batch)' : '';
          failWith(2, { code: error.code, message: error.message + hint, issues: error.issues });
        }
        throw error;
      }
      // A resumed batch that already ended is only reported: no worker starts, nothing changes.
      if (!FINAL.has(summary.stage)) await station.queue.start();
      const final = await new Promise<BatchSummary>((resolve) => {
        const check = (b: BatchSummary) => {
          progress(
            `${b.id}: ${b.stage}, ${b.pagesDone}${b.pagesExpected ? ` of ${b.pagesExpected}` : ''} pages`,
          );
          if (FINAL.has(b.stage)) resolve(b);
        };
        station.events.subscribe((e) => {
          if (e.name === 'batch.updated' && e.payload.id === summary.id) check(e.payload);
        });
        check(station.pipeline.store.summary(summary.id)!);
      });
      endProgress();
      const detail = station.pipeline.store.detail(final.id)!;
      await station.close();
      const out = {
        batch: final.id,
        outcome: final.stage,
        pages: final.pagesDone,
        package: detail.packagePath,
        ...(detail.quarantine ? { quarantine: detail.quarantine } : {}),
      };
      if (final.stage !== 'completed')
        failWith(
          1,
          {
            code: 'BATCH_NOT_COMPLETED',
            message: `batch ${final.id} ended ${final.stage}: ${final.lastError ?? ''}`,
          },
          out,
        );
      printJson(out);
      process.exit(0);
    });
}

/**
 * A new batch from the manifest; with `resume`, the existing batch of the same id instead,
 * provided it was created from the same manifest (its queued work then goes on).
 */
async function createOrResume(station: Station, manifest: unknown, resume: boolean): Promise<BatchSummary> {
  try {
    return await station.pipeline.create(manifest, null);
  } catch (error) {
    if (!resume || !(error instanceof StationError) || error.code !== 'CONFLICT') throw error;
    const check = verifyManifest(manifest);
    const batchId = check.ok ? check.manifest.batch_id : check.batchId;
    const existing = batchId ? station.pipeline.store.detail(batchId) : null;
    if (!existing) throw error;
    const sameManifest =
      JSON.stringify(existing.manifest) === JSON.stringify(manifest) ||
      (check.sha256 !== null && verifyManifest(existing.manifest).sha256 === check.sha256);
    if (!sameManifest)
      throw conflict(`batch ${existing.id} exists with a different manifest; nothing was changed`);
    return existing;
  }
}
