import { existsSync, promises as fs } from 'node:fs';
import type { QcFinding } from '../../shared/contract/index';
import type { BatchManifest } from '../../shared/domain/manifest';
import {
  createOcrEngine,
  ocrCacheDir,
  parseLanguages,
  wordsOf,
  type OcrEngine,
  type OcrLanguage,
} from '../ocr/index';
import type { QueueProducer } from '../queue/queue';
import { defaultQueueConfig } from '../queue/queue-config';
import { writeFileAtomic } from '../storage/index';
import { ocrFiles, ocrSummaryFile, type OcrSummary } from './ocr-files';
import { BatchRef } from './stage-refs';
import { masterObject } from './staged-masters';
import { ensureStillRunning, manifestOf, withAttempt, type StageDeps, type StageJob } from './stages';

/** The OCR languages a batch asked for, or null when it has no OCR. */
export function ocrLanguagesOf(
  manifest: Pick<BatchManifest, 'ocr'> | null | undefined,
): OcrLanguage[] | null {
  return manifest?.ocr?.enabled ? parseLanguages(manifest.ocr.languages) : null;
}

/**
 * The station's OCR engine, started when the first OCR page comes: a pool sized to the compute
 * queue's concurrency, its models unpacked into the data folder; QUIRE_OCR_ENGINE chooses it.
 */
export function lazyOcrEngine(dataRoot: string): { get: () => OcrEngine; close: () => Promise<void> } {
  let engine: OcrEngine | null = null;
  return {
    get: () =>
      (engine ??= createOcrEngine({
        size: defaultQueueConfig('compute').concurrency,
        tessdataDir: ocrCacheDir(dataRoot),
      })),
    close: async () => {
      await engine?.close();
      engine = null;
    },
  };
}

/**
 * OCR of every page of a batch, after its derivatives: ALTO 4.4 and plain text per page in
 * staging (a retry skips pages already done). Runs as part of the batch's derivatives stage,
 * so a failure quarantines and retries the batch there. A page where no word was found is a
 * QC warning (audited), never a failure: a blank verso or a plate is a real page.
 */
export async function ocrStage(
  deps: StageDeps,
  engine: () => OcrEngine,
  input: { batchId: string },
  job: StageJob,
): Promise<void> {
  const { batchId } = input;
  await withAttempt(deps, batchId, 'derivatives', 'compute', async () => {
    const manifest = manifestOf(deps, batchId);
    const languages = ocrLanguagesOf(manifest);
    if (!languages) return;
    const staging = deps.core.layout.batchStaging(batchId);
    const pages = deps.store.pages(batchId);
    const pending = pages.filter((p) => {
      const files = ocrFiles(staging, p.page);
      return !(existsSync(files.altoPath) && existsSync(files.textPath));
    });
    const read = await deps.pages.ocr(
      { batchId, stage: 'ocr', runId: job.jobId, signal: job.signal },
      pending.map((page) => {
        const files = ocrFiles(staging, page.page);
        return {
          page: page.page,
          master: page.masterPath,
          alto: files.altoPath,
          text: files.textPath,
          dpi: manifest.scanner_profile.dpi,
          languages,
        };
      }),
    );
    const counts: { page: (typeof pages)[number]; words: number }[] = [];
    for (const page of pages)
      counts.push({
        page,
        words: wordsOf(await fs.readFile(ocrFiles(staging, page.page).textPath, 'utf8')).length,
      });
    // The engine that read the pages (in a lab, on whichever station ran them); on a retry
    // with every page already read, this station's.
    const used = read[0] ?? { engine: engine().kind, version: await engine().version() };
    const { version } = used;
    ensureStillRunning(deps, batchId, 'derivatives', job.signal);
    const findings: QcFinding[] = [];
    let words = 0;
    for (const { page, words: count } of counts) {
      words += count;
      if (count > 0) continue;
      const finding: QcFinding = {
        page: page.page,
        code: 'OCR_NO_TEXT',
        severity: 'warning',
        message: `OCR found no text on page ${page.page}`,
      };
      findings.push(finding);
      deps.audit.record({
        type: 'validation',
        outcome: 'warning',
        detail: `${finding.code}: ${finding.message}`,
        object: masterObject(batchId, page.page, page.masterPath),
        person: 'system',
      });
    }
    const event = deps.audit.record({
      type: 'creation',
      outcome: 'success',
      detail: `OCR full text (ALTO 4.4 and plain text) of ${pages.length} page(s), ${words} word(s), by ${used.engine} ${version}, languages ${languages.join('+')}`,
      object: batchId,
      person: 'system',
    });
    const summary: OcrSummary = {
      engine: used.engine,
      version,
      languages,
      pages: pages.length,
      words,
      findings,
      eventId: event.id,
    };
    await writeFileAtomic(ocrSummaryFile(staging), JSON.stringify(summary, null, 2) + '\n', {
      noOverwrite: false,
    });
    deps.touched(batchId);
  });
}

/**
 * The job type `batch.ocr`, on the compute queue (in a lab, on the origin station's own queue:
 * `queue` routes it), retried like the other compute stages.
 */
export function registerOcrStage(
  jobs: QueueProducer,
  deps: StageDeps,
  engine: () => OcrEngine,
  queue: string | ((payload: { station?: string }) => string) = 'compute',
): void {
  jobs.register('batch.ocr', {
    schema: BatchRef,
    queue,
    retry: { retries: 3, baseMs: 5_000 },
    handler: (p, { job, signal }) => ocrStage(deps, engine, p, { jobId: job.id, signal }),
  });
}
