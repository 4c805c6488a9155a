import { existsSync, mkdirSync, promises as fs, renameSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import type { BatchStage, BatchSummary, JobSummary, SessionUser } from '../../shared/contract/index';
import type { BatchManifest } from '../../shared/domain/manifest';
import type { AuditModule } from '../audit/module';
import type { CatalogModule } from '../catalog/module';
import type { CoreContext } from '../core/core-context';
import { conflict, invalidInput, notFound } from '../core/station-error';
import type { StepSpec } from '../queue/job-queue';
import type { JobRecord } from '../queue/sqlite-store';
import { toJobSummary, type QueueModule } from '../queue/module';
import type { DevicesModule } from '../scanner/module';
import { cancelRefusal, decideRefusal, enforce, retryRefusal, type Actor } from './batch-policy';
import { BatchStore } from './batches/batch-store';
import { captureStage } from './capture-stage';
import { createFullTextSearch, type FullTextSearch } from './ocr-search';
import { lazyOcrEngine, ocrLanguagesOf, registerOcrStage } from './ocr-stage';
import { masterObject } from './staged-masters';
import { verifyStation, type VerifyOptions, type VerifyReport } from './station-verify';
import { createImageWorkPool } from './image-work';
import { verifyManifest } from './manifest/verify-manifest';
import {
  derivativesStage,
  packageStage,
  qcStage,
  quarantineBatch,
  technicalMetadataStage,
  type StageDeps,
} from './stages';

export interface PipelineDeps {
  queue: QueueModule;
  catalog: CatalogModule;
  devices: DevicesModule;
  audit: AuditModule;
  organizationName: () => string;
  quarantineReasons: () => readonly string[];
}

export type Decision = { batchId: string; reason: string; note: string } & (
  { decision: 'release' } | { decision: 'reject' } | { decision: 'requeue'; pages?: number[] }
);

/** The batch pipeline: validate → chord(capture ‖ technical metadata) → image QC → derivatives → package, on the durable queue. */
export interface PipelineModule {
  readonly store: BatchStore;
  /** Full-text search (OCR) over completed batches. */
  readonly search: FullTextSearch;
  create(manifest: unknown, actor: SessionUser | null): BatchSummary;
  decide(actor: SessionUser, decision: Decision): BatchSummary;
  /** Ends a batch that has not finished (see batch-policy.ts for who may); audited. */
  cancel(batchId: string, reason: string, actor: Actor): BatchSummary;
  /** Runs a job again, if its batch may go on (never a finished or quarantined batch's). */
  retryJob(jobId: string, actor: Actor): JobSummary;
  /** Every quarantined job of a queue whose batch may go on runs again; the others stay. */
  retryAllFailed(queue: string, actor: Actor): JobSummary[];
  thumbnail(batchId: string, page: number, size: 'thumb' | 'access'): Promise<string | null>;
  /** The consistency check of `quire verify` (every page accounted for), station-wide or for one batch. */
  verify(options?: VerifyOptions): Promise<VerifyReport>;
  close(): Promise<void>;
}

const BatchRef = z.object({ batchId: z.string() });
const CaptureRef = BatchRef.extend({
  device: z.string(),
  pages: z.array(z.number().int().positive()).optional(),
});
const STAGE_ORDER: BatchStage[] = ['capturing', 'qc', 'derivatives', 'packaging'];

export async function createPipelineModule(core: CoreContext, deps: PipelineDeps): Promise<PipelineModule> {
  const store = new BatchStore(core.db, core.clock);
  const touched = (batchId: string) => {
    const summary = store.summary(batchId);
    if (summary) core.events.emit('batch.updated', summary);
  };
  const stageDeps: StageDeps = {
    core,
    store,
    audit: deps.audit,
    devices: deps.devices,
    organizationName: deps.organizationName,
    catalogRecord: (accession) => deps.catalog.get(accession),
    touched,
    images: createImageWorkPool(),
  };
  const jobs = deps.queue.jobs;
  const ocr = lazyOcrEngine(core.layout.root);
  const search = createFullTextSearch(core, (id) => {
    const batch = store.summary(id);
    const pkg = batch?.stage === 'completed' ? store.detail(id)?.packagePath : null;
    return pkg ? { path: pkg, title: batch!.title } : null;
  });
  void search.catchUp().catch((err: unknown) => core.logger.warn({ err }, 'full-text catch-up failed'));

  /** QC → derivatives → package (from `from` on) as a chain: each starts after the previous succeeded. */
  const chainFrom = (batchId: string, from: BatchStage, idempotencyKey?: string) => {
    const start = STAGE_ORDER.indexOf(from);
    const steps: StepSpec[] = [];
    if (start <= 1) steps.push({ type: 'batch.qc', payload: { batchId }, options: { batchId } });
    if (start <= 2) steps.push({ type: 'batch.derivatives', payload: { batchId }, options: { batchId } });
    if (start <= 2 && ocrLanguagesOf(store.manifest(batchId) as BatchManifest | null))
      steps.push({ type: 'batch.ocr', payload: { batchId }, options: { batchId } });
    steps.push({ type: 'batch.package', payload: { batchId }, options: { batchId } });
    if (idempotencyKey) steps[0]!.options = { batchId, idempotencyKey };
    jobs.chain(steps);
  };

  jobs.register('batch.capture', {
    schema: CaptureRef,
    queue: (p) => `device:${p.device}`,
    retry: { retries: 10, baseMs: 2_000, capMs: 60_000 },
    handler: (p, { signal }) => captureStage(stageDeps, p, signal),
  });
  jobs.register('batch.techmd', {
    schema: BatchRef,
    queue: 'io',
    retry: { retries: 3, baseMs: 2_000 },
    handler: (p) => technicalMetadataStage(stageDeps, p),
  });
  // The chord's callback: once capture and technical metadata both succeeded, the rest runs as
  // a chain. Its idempotency key makes a redelivered callback start the chain only once.
  jobs.register('batch.continue', {
    schema: BatchRef,
    queue: 'default',
    handler: async ({ batchId }, { job }) => {
      chainFrom(batchId, 'qc', `${batchId}:continue:${job.id}`);
    },
  });
  jobs.register('batch.qc', {
    schema: BatchRef,
    queue: 'compute',
    retry: { retries: 3, baseMs: 5_000 },
    handler: (p) => qcStage(stageDeps, p),
  });
  jobs.register('batch.derivatives', {
    schema: BatchRef,
    queue: 'compute',
    retry: { retries: 3, baseMs: 5_000 },
    handler: (p) => derivativesStage(stageDeps, p),
  });
  registerOcrStage(jobs, stageDeps, ocr.get);
  jobs.register('batch.package', {
    schema: BatchRef,
    queue: 'io',
    retry: { retries: 3, baseMs: 5_000 },
    handler: (p) => packageStage(stageDeps, p),
  });

  /**
   * The workflow from a stage on (../shared/architecture.md): capture on the device's own queue
   * in parallel with technical-metadata preparation, as a chord whose callback runs the rest.
   */
  const runFrom = (batchId: string, device: string, from: BatchStage, recapturePages?: number[]) => {
    if (STAGE_ORDER.indexOf(from) > 0) return chainFrom(batchId, from);
    const capture = {
      type: 'batch.capture',
      payload: { batchId, device, ...(recapturePages ? { pages: recapturePages } : {}) },
      options: { batchId },
    };
    const techmd = { type: 'batch.techmd', payload: { batchId }, options: { batchId } };
    jobs.chord([capture, techmd], { type: 'batch.continue', payload: { batchId }, options: { batchId } });
  };

  const batchOf = (job: JobRecord) => (job.batchId ? store.summary(job.batchId) : null);
  const stepOf = (job: JobRecord) => ({
    id: job.id,
    workflow: job.workflowId ? (jobs.workflowState(job.workflowId)?.state ?? null) : null,
  });
  /** Devices last seen JAMMED (by name), so that only the way out of a jam promotes jobs. */
  const jammedDevices = new Set<string>();
  // A job that ends in quarantine without the stage saying why (retries exhausted, worker lost)
  // still quarantines its batch, with the last error.
  const unsubscribe = core.events.subscribe((event) => {
    if (event.name === 'job.updated') {
      const job = event.payload;
      if (job.state !== 'quarantined' || !job.batchId || !job.type.startsWith('batch.')) return;
      const batch = store.summary(job.batchId);
      if (
        !batch ||
        batch.stage === 'quarantined' ||
        batch.stage === 'rejected' ||
        batch.stage === 'cancelled'
      )
        return;
      quarantineBatch(stageDeps, job.batchId, batch.stage, job.lastError ?? 'the job failed', {});
    }
    if (event.name === 'device.removed') jammedDevices.delete(event.payload.name);
    if (event.name === 'device.status') {
      // The operator cleared a jam: waiting capture jobs of that device need not sit out their
      // backoff. Only that transition promotes them; every other status (about one a second
      // per device) leaves their backoff alone. OFFLINE and CONNECTING say nothing about the
      // jam, so a jam cleared while the scanner was away counts once it reports again.
      const { name, state } = event.payload;
      if (state === 'JAMMED') jammedDevices.add(name);
      else if (state !== 'OFFLINE' && state !== 'CONNECTING' && jammedDevices.delete(name))
        for (const job of deps.queue.store.list({ state: 'retrying', queue: `device:${name}` }).items)
          deps.queue.promote(job.id);
    }
  });

  return {
    store,
    search,
    create(input, actor) {
      const check = verifyManifest(input);
      if (!check.ok && !check.batchId)
        throw invalidInput('the manifest is invalid and has no usable batch_id', check.issues);
      const manifest = check.ok ? check.manifest : (input as Record<string, unknown>);
      const batchId = check.ok ? check.manifest.batch_id : check.batchId!;
      // Only what the batch list's schema accepts is stored as its summary, valid manifest or not.
      const { record } = check;
      const inserted = store.insert({
        id: batchId,
        device: record.device,
        title: record.title,
        accessionNumbers: record.accessionNumbers,
        operator: actor?.username ?? record.operator,
        manifest,
        manifestSha256: check.sha256 ?? '',
        pagesExpected: record.pagesExpected,
      });
      if (!inserted) throw conflict(`a batch ${batchId} already exists; nothing was changed`);
      deps.audit.record({
        type: 'validation',
        outcome: check.ok ? 'success' : 'failure',
        detail: check.ok
          ? `manifest valid, SHA-256 ${check.sha256}`
          : check.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        object: batchId,
        person: actor?.username ?? 'system',
      });
      if (!check.ok) {
        quarantineBatch(stageDeps, batchId, 'validating', 'Invalid manifest', {
          validationIssues: check.issues,
        });
      } else {
        runFrom(batchId, check.manifest.device, 'capturing');
      }
      touched(batchId);
      return store.summary(batchId)!;
    },
    decide(actor, decision) {
      enforce(decideRefusal(decision.batchId, store.summary(decision.batchId), actor));
      const detail = store.detail(decision.batchId);
      if (!detail) throw notFound(`batch ${decision.batchId}`);
      if (detail.stage !== 'quarantined' || !detail.quarantine)
        throw conflict(`batch ${decision.batchId} is ${detail.stage}, not quarantined`);
      if (!deps.quarantineReasons().includes(decision.reason)) {
        throw invalidInput('choose a reason from the configured list', [
          { path: 'reason', message: `"${decision.reason}" is not one of the configured reasons` },
        ]);
      }
      const failed = detail.quarantine.stage;
      if (failed === 'validating' && decision.decision !== 'reject')
        throw conflict('an invalid manifest cannot continue: reject it and import a corrected manifest');
      const pages = decision.decision === 'requeue' ? decision.pages : undefined;
      if (
        pages?.some((p) => !detail.pages.some((known) => known.page === p) && p > (detail.pagesExpected ?? 0))
      ) {
        throw invalidInput('a chosen page is not part of this batch', [
          { path: 'pages', message: 'unknown page number' },
        ]);
      }
      store.recordDecision(decision.batchId, {
        decision: decision.decision,
        by: actor.username,
        reason: decision.reason,
        note: decision.note,
        pages,
      });
      const text = `${decision.reason}${decision.note ? ` — ${decision.note}` : ''}`;
      if (decision.decision === 'reject') {
        store.setStage(decision.batchId, 'rejected');
        deps.audit.record({
          type: 'appraisal',
          outcome: 'rejected',
          detail: text,
          object: decision.batchId,
          person: actor.username,
        });
      } else {
        const outcome =
          decision.decision === 'release'
            ? 'released'
            : pages
              ? `requeued pages ${pages.join(', ')}`
              : 'requeued';
        deps.audit.record({
          type: 'unquarantine',
          outcome,
          detail: text,
          object: decision.batchId,
          person: actor.username,
        });
        if (pages) {
          supersedePages(decision.batchId, pages, actor.username);
          runFrom(decision.batchId, detail.device, 'capturing', pages);
        } else {
          const next =
            decision.decision === 'release'
              ? (STAGE_ORDER[STAGE_ORDER.indexOf(failed) + 1] ?? 'packaging')
              : failed;
          store.setStage(decision.batchId, next === 'capturing' ? 'capturing' : next);
          runFrom(decision.batchId, detail.device, next);
        }
      }
      core.events.emit('quarantine.changed', { batchId: decision.batchId, quarantined: false, reason: null });
      touched(decision.batchId);
      return store.summary(decision.batchId)!;
    },
    cancel(batchId, reason, actor) {
      const batch = store.summary(batchId);
      enforce(cancelRefusal(batchId, batch, actor));
      // The batch's new stage, its withdrawn jobs and the audit event naming the person are one
      // commit: a crash never leaves a cancelled batch without its event, or the reverse.
      const withdrawn = core.db.transaction(() => {
        const jobs = deps.queue.store
          .list({ batchId, limit: 500 })
          .items.map((job) => deps.queue.store.cancel(job.id, core.clock.now()))
          .filter((job): job is NonNullable<typeof job> => job !== null);
        store.setStage(batchId, 'cancelled', { lastError: `cancelled by ${actor.username}: ${reason}` });
        deps.audit.record({
          type: 'appraisal',
          outcome: 'cancelled',
          detail: `${reason} (the batch was ${batch!.stage}; captured pages are kept)`,
          object: batchId,
          person: actor.username,
        });
        return jobs;
      })();
      for (const job of withdrawn) core.events.emit('job.updated', toJobSummary(job));
      if (batch!.stage === 'quarantined')
        core.events.emit('quarantine.changed', { batchId, quarantined: false, reason: null });
      touched(batchId);
      return store.summary(batchId)!;
    },
    retryJob(jobId, actor) {
      const { job } = deps.queue.show(jobId);
      enforce(retryRefusal(batchOf(job), stepOf(job)));
      core.logger.info({ jobId, batchId: job.batchId, by: actor.username }, 'job retried');
      return deps.queue.retry(jobId);
    },
    retryAllFailed(queue, actor) {
      const allowed = deps.queue.store
        .list({ state: 'quarantined', queue, limit: 10_000 })
        .items.filter((job) => !retryRefusal(batchOf(job), stepOf(job)));
      core.logger.info({ queue, jobs: allowed.length, by: actor.username }, 'quarantined jobs retried');
      return allowed.map((job) => deps.queue.retry(job.id));
    },
    async thumbnail(batchId, page, size) {
      const stored = store.page(batchId, page);
      if (!stored) return null;
      const file = size === 'thumb' ? stored.thumbnailPath : stored.accessPath;
      if (file && existsSync(file))
        return `data:image/jpeg;base64,${(await fs.readFile(file)).toString('base64')}`;
      // Not derived yet (quarantined at capture or QC): render a review image from the master,
      // in memory only. A master that does not decode has no image to show.
      try {
        const image = await sharp(stored.masterPath, { limitInputPixels: 2_000_000_000 })
          .resize({
            width: size === 'thumb' ? 400 : 1600,
            height: size === 'thumb' ? 400 : 1600,
            fit: 'inside',
          })
          .toColourspace('srgb')
          .jpeg({ quality: 80 })
          .toBuffer();
        return `data:image/jpeg;base64,${image.toString('base64')}`;
      } catch {
        return null;
      }
    },
    verify: (options) => verifyStation({ layout: core.layout, store, audit: deps.audit }, options),
    close: async () => {
      unsubscribe();
      search.close();
      await ocr.close();
    },
  };

  /**
   * Moves the chosen pages' files aside (never deleted) so they can be captured again, each
   * master's move a PREMIS "filename change" naming the supervisor: a page captured once and
   * superseded is still accounted for, in superseded/.
   */
  function supersedePages(batchId: string, pages: number[], by: string): void {
    const aside = path.join(core.layout.batchStaging(batchId), 'superseded', String(core.clock.now()));
    const kept = pages.flatMap((n) => store.page(batchId, n) ?? []);
    // Synchronous on purpose: the recapture must find the slots empty.
    if (kept.length) mkdirSync(aside, { recursive: true });
    for (const page of kept) {
      const files = [page.masterPath, page.accessPath, page.thumbnailPath, page.sidecarPath];
      for (const file of files)
        if (file && existsSync(file)) renameSync(file, path.join(aside, path.basename(file)));
      deps.audit.record({
        type: 'filename change',
        outcome: 'superseded',
        detail: `moved to ${path.relative(core.layout.root, path.join(aside, path.basename(page.masterPath)))} for a recapture`,
        object: masterObject(batchId, page.page),
        person: by,
      });
    }
    store.forgetPages(batchId, pages);
  }
}
