import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type {
  BatchStage,
  BatchSummary,
  DeviceStatus,
  JobSummary,
  SessionUser,
} from '../../shared/contract/index';
import type { BatchManifest } from '../../shared/domain/manifest';
import type { AuditModule } from '../audit/module';
import type { CatalogModule } from '../catalog/module';
import type { CoreContext } from '../core/core-context';
import { conflict, invalidInput, notFound, StationError } from '../core/station-error';
import { stationQueue, toJobSummary, type QueueModule } from '../queue/module';
import type { JobRecord, StepSpec } from '../queue/queue';
import type { DevicesModule } from '../scanner/module';
import {
  cancelRefusal,
  decideManyRefusal,
  decideRefusal,
  enforce,
  retryRefusal,
  startRefusal,
  type Actor,
} from './batch-policy';
import { createDeviceWork, type DeviceWorkModule } from './device-work';
import { BatchStore } from './batches/batch-store';
import { captureStage, resetAfterJam } from './capture-stage';
import { createFullTextSearch, type FullTextSearch } from './ocr-search';
import { lazyOcrEngine, ocrLanguagesOf, registerOcrStage } from './ocr-stage';
import { profileRefusalFor } from './profile-fit';
import { orphanedBatches } from './orphaned-batches';
import { reviewImage } from './review-image';
import { masterObject } from './staged-masters';
import { verifyStation, type VerifyOptions, type VerifyReport } from './station-verify';
import { createImageWorkPool } from './image-work';
import { labPageWork, registerPageJobs } from './lab-page-work';
import { localPageWork } from './page-work';
import { verifyManifest } from './manifest/verify-manifest';
import {
  derivativesStage,
  packageStage,
  qcStage,
  quarantineBatch,
  technicalMetadataStage,
  type StageDeps,
} from './stages';
import { registerTransferStage, transferSteps, unknownDestinations } from './transfer-stage';
import type { TransferModule } from '../transfer/index';

export interface PipelineDeps {
  queue: QueueModule;
  catalog: CatalogModule;
  devices: DevicesModule;
  audit: AuditModule;
  organizationName: () => string;
  quarantineReasons: () => readonly string[];
  /** Repository transfer after packaging (optional: without it, packaging is the last stage). */
  transfer?: TransferModule;
  /**
   * Lab mode: this station's name, and its mount of the lab's storage root (null without one).
   * The stages of its batches run on its own queue (they read and write its records); with a
   * storage root, their page work is spread over the lab as page jobs.
   */
  lab?: { station: string; storage: string | null } | null;
}

export type Decision = { batchId: string; reason: string; note: string } & (
  { decision: 'release' } | { decision: 'reject' } | { decision: 'requeue'; pages?: number[] }
);

/** The batch pipeline: validate → chord(capture ‖ technical metadata) → image QC → derivatives → package, on the durable queue. */
export interface PipelineModule {
  readonly store: BatchStore;
  /** Each scanner's current batch, its waiting batches and any hold after repeated failures. */
  readonly work: DeviceWorkModule;
  /** Full-text search (OCR) over completed batches. */
  readonly search: FullTextSearch;
  create(manifest: unknown, actor: SessionUser | null): Promise<BatchSummary>;
  decide(actor: SessionUser, decision: Decision): Promise<BatchSummary>;
  /** The same decision for each of a group of batches, each decided (and audited) on its own. */
  decideMany(
    actor: SessionUser,
    input: { batchIds: string[]; decision: Decision['decision']; reason: string; note: string },
  ): Promise<{ decided: BatchSummary[]; refused: { batchId: string; message: string }[] }>;
  /** Ends a batch that has not finished (see batch-policy.ts for who may); audited. */
  cancel(batchId: string, reason: string, actor: Actor): Promise<BatchSummary>;
  /** Runs a job again, if its batch may go on (never a finished or quarantined batch's). */
  retryJob(jobId: string, actor: Actor): Promise<JobSummary>;
  /** Every quarantined job of a queue whose batch may go on runs again; the others stay. */
  retryAllFailed(queue: string, actor: Actor): Promise<JobSummary[]>;
  /** RESET after a person cleared the feeder; recorded in the jammed batch's history with their name. */
  resetAfterJam(device: string, actor: Actor): Promise<DeviceStatus>;
  thumbnail(batchId: string, page: number, size: 'thumb' | 'access'): Promise<string | null>;
  /** The consistency check of `quire verify` (every page accounted for), station-wide or for one batch. */
  verify(options?: VerifyOptions): Promise<VerifyReport>;
  /**
   * Quarantines batches left in a working stage with no job to run after a job of theirs was
   * quarantined (writing the batch's quarantine failed, e.g. on a full disk), once seen so on
   * two sweeps in a row; returns how many. The station runs it at start and every 10 s.
   */
  settleOrphans(): Promise<number>;
  close(): Promise<void>;
}

/** A stage job's payload: the batch, and in a lab the station that holds its records. */
const BatchRef = z.object({ batchId: z.string(), station: z.string().optional() });
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
  const images = createImageWorkPool();
  const jobs = deps.queue;
  const lab = deps.lab ?? null;
  const ocr = lazyOcrEngine(core.layout.root);
  if (lab) registerPageJobs(jobs, { root: lab.storage, images, ocrEngine: ocr.get });
  const stageDeps: StageDeps = {
    core,
    store,
    audit: deps.audit,
    devices: deps.devices,
    organizationName: deps.organizationName,
    catalogRecord: (accession) => deps.catalog.get(accession),
    touched,
    images,
    pages: lab?.storage ? labPageWork(jobs, lab.storage) : localPageWork(images, ocr.get),
  };
  /** What every stage job of a batch created here carries: in a lab, this station's name. */
  const ref = (batchId: string) => (lab ? { batchId, station: lab.station } : { batchId });
  /** A stage's queue: in a lab, the origin station's own; alone, the stage's usual queue. */
  const stageQueue =
    (usual: string) =>
    (p: { station?: string }): string =>
      p.station ? stationQueue(p.station) : usual;
  const work = createDeviceWork({ core, store, queue: deps.queue, devices: deps.devices, audit: deps.audit });
  const search = createFullTextSearch(core, (id) => {
    const batch = store.summary(id);
    const pkg = batch?.stage === 'completed' ? store.detail(id)?.packagePath : null;
    return pkg ? { path: pkg, title: batch!.title } : null;
  });
  void search.catchUp().catch((err: unknown) => core.logger.warn({ err }, 'full-text catch-up failed'));

  /** QC → derivatives → package (from `from` on) as a chain: each starts after the previous succeeded. */
  const chainFrom = async (batchId: string, from: BatchStage, idempotencyKey?: string) => {
    const start = STAGE_ORDER.indexOf(from);
    const steps: StepSpec[] = [];
    const payload = ref(batchId);
    if (start <= 1) steps.push({ type: 'batch.qc', payload, options: { batchId } });
    if (start <= 2) steps.push({ type: 'batch.derivatives', payload, options: { batchId } });
    if (start <= 2 && ocrLanguagesOf(store.manifest(batchId) as BatchManifest | null))
      steps.push({ type: 'batch.ocr', payload, options: { batchId } });
    steps.push({ type: 'batch.package', payload, options: { batchId } });
    const named = (store.manifest(batchId) as BatchManifest | null)?.transfer_to;
    steps.push(...transferSteps(deps.transfer, batchId, named, lab?.station));
    if (idempotencyKey) steps[0]!.options = { batchId, idempotencyKey };
    await jobs.chain(steps);
  };

  jobs.register('batch.capture', {
    schema: CaptureRef,
    queue: (p) => `device:${p.device}`,
    retry: { retries: 10, baseMs: 2_000, capMs: 60_000 },
    handler: (p, { signal }) => captureStage(stageDeps, p, signal),
  });
  jobs.register('batch.techmd', {
    schema: BatchRef,
    queue: stageQueue('io'),
    retry: { retries: 3, baseMs: 2_000 },
    handler: (p) => technicalMetadataStage(stageDeps, p),
  });
  // The chord's callback: once capture and technical metadata both succeeded, the rest runs as
  // a chain. Its idempotency key makes a redelivered callback start the chain only once.
  jobs.register('batch.continue', {
    schema: BatchRef,
    queue: stageQueue('default'),
    handler: async ({ batchId }, { job }) => {
      await chainFrom(batchId, 'qc', `${batchId}:continue:${job.id}`);
    },
  });
  jobs.register('batch.qc', {
    schema: BatchRef,
    queue: stageQueue('compute'),
    retry: { retries: 3, baseMs: 5_000 },
    handler: (p, { job, signal }) => qcStage(stageDeps, p, { jobId: job.id, signal }),
  });
  jobs.register('batch.derivatives', {
    schema: BatchRef,
    queue: stageQueue('compute'),
    retry: { retries: 3, baseMs: 5_000 },
    handler: (p, { job, signal }) => derivativesStage(stageDeps, p, { jobId: job.id, signal }),
  });
  registerOcrStage(jobs, stageDeps, ocr.get, stageQueue('compute'));
  jobs.register('batch.package', {
    schema: BatchRef,
    queue: stageQueue('io'),
    retry: { retries: 3, baseMs: 5_000 },
    handler: (p) => packageStage(stageDeps, p),
  });
  if (deps.transfer)
    registerTransferStage(
      jobs,
      { transfer: deps.transfer, packageDir: (id) => core.layout.batchPackage(id) },
      stageQueue('io'),
    );

  /**
   * The workflow from a stage on (../shared/architecture.md): capture on the device's own queue
   * in parallel with technical-metadata preparation, as a chord whose callback runs the rest.
   */
  const runFrom = async (batchId: string, device: string, from: BatchStage, recapturePages?: number[]) => {
    if (STAGE_ORDER.indexOf(from) > 0) return chainFrom(batchId, from);
    const capture = {
      type: 'batch.capture',
      payload: { batchId, device, ...(recapturePages ? { pages: recapturePages } : {}) },
      options: { batchId },
    };
    const techmd = { type: 'batch.techmd', payload: ref(batchId), options: { batchId } };
    await jobs.chord([capture, techmd], {
      type: 'batch.continue',
      payload: ref(batchId),
      options: { batchId },
    });
  };

  const batchOf = (job: JobRecord) => (job.batchId ? store.summary(job.batchId) : null);
  const stepOf = async (job: JobRecord) => ({
    id: job.id,
    workflow: job.workflowId ? ((await jobs.workflowState(job.workflowId))?.state ?? null) : null,
  });
  /** Devices last seen JAMMED (by name), so that only the way out of a jam promotes jobs. */
  const jammedDevices = new Set<string>();
  // A job that ends in quarantine without the stage saying why (retries exhausted, worker lost)
  // still quarantines its batch, with the last error.
  const unsubscribe = core.events.subscribe((event) => {
    if (event.name === 'job.updated') {
      const job = event.payload;
      if (job.state !== 'quarantined' || !job.batchId || !job.type.startsWith('batch.')) return;
      // A transfer that gave up leaves the finished package as it was: the job is quarantined
      // (and can be queued again with transfer.start), the completed batch stays completed.
      if (job.type === 'batch.transfer') return;
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
        void promoteWaitingCaptures(name);
    }
  });

  /** Batches found stuck on the last sweep, with their stage then (see settleOrphans). */
  let suspects = new Map<string, BatchStage>();
  const pipeline: PipelineModule = {
    store,
    work,
    search,
    async create(input, actor) {
      const check = verifyManifest(input);
      if (!check.ok && !check.batchId)
        throw invalidInput('the manifest is invalid and has no usable batch_id', check.issues);
      if (check.ok) enforce(startRefusal(check.manifest.device, work.hold(check.manifest.device)));
      const manifest = check.ok ? check.manifest : (input as Record<string, unknown>);
      const batchId = check.ok ? check.manifest.batch_id : check.batchId!;
      // A profile the scanner cannot honour is refused before anything is stored or started.
      if (check.ok) enforce(profileRefusalFor(deps.devices, check.manifest));
      // So is a package destination this station does not have: it could never be sent there.
      const noSuchDestination = check.ok
        ? unknownDestinations(deps.transfer, check.manifest.transfer_to)
        : null;
      if (noSuchDestination) throw invalidInput(noSuchDestination);
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
        await runFrom(batchId, check.manifest.device, 'capturing');
      }
      touched(batchId);
      return store.summary(batchId)!;
    },
    async decide(actor, decision) {
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
          await runFrom(decision.batchId, detail.device, 'capturing', pages);
        } else {
          const next =
            decision.decision === 'release'
              ? (STAGE_ORDER[STAGE_ORDER.indexOf(failed) + 1] ?? 'packaging')
              : failed;
          store.setStage(decision.batchId, next === 'capturing' ? 'capturing' : next);
          await runFrom(decision.batchId, detail.device, next);
        }
      }
      core.events.emit('quarantine.changed', { batchId: decision.batchId, quarantined: false, reason: null });
      touched(decision.batchId);
      return store.summary(decision.batchId)!;
    },
    async decideMany(actor, input) {
      enforce(decideManyRefusal(input.batchIds, actor));
      const decided: BatchSummary[] = [];
      const refused: { batchId: string; message: string }[] = [];
      for (const batchId of input.batchIds) {
        try {
          decided.push(await pipeline.decide(actor, { ...input, batchId } as Decision));
        } catch (error) {
          if (!(error instanceof StationError)) throw error;
          refused.push({ batchId, message: error.message });
        }
      }
      return { decided, refused };
    },
    async cancel(batchId, reason, actor) {
      const batch = store.summary(batchId);
      enforce(cancelRefusal(batchId, batch, actor));
      // The batch's new stage and the audit event naming the person are one commit: a crash
      // never leaves a cancelled batch without its event, or the reverse. Its waiting jobs are
      // withdrawn after that commit; one a crash leaves behind finds its batch cancelled when
      // it runs and ends cancelled (stages.ts), so the order cannot let work through.
      core.db.transaction(() => {
        store.setStage(batchId, 'cancelled', { lastError: `cancelled by ${actor.username}: ${reason}` });
        deps.audit.record({
          type: 'appraisal',
          outcome: 'cancelled',
          detail: `${reason} (the batch was ${batch!.stage}; captured pages are kept)`,
          object: batchId,
          person: actor.username,
        });
      })();
      await withdrawJobs(batchId);
      if (batch!.stage === 'quarantined')
        core.events.emit('quarantine.changed', { batchId, quarantined: false, reason: null });
      touched(batchId);
      return store.summary(batchId)!;
    },
    async retryJob(jobId, actor) {
      const { job } = await deps.queue.show(jobId);
      enforce(retryRefusal(batchOf(job), await stepOf(job)));
      core.logger.info({ jobId, batchId: job.batchId, by: actor.username }, 'job retried');
      return toJobSummary(await deps.queue.retry(jobId));
    },
    async retryAllFailed(queue, actor) {
      const quarantined = await deps.queue.list({ state: 'quarantined', queue, limit: 10_000 });
      const allowed: JobRecord[] = [];
      for (const job of quarantined.items)
        if (!retryRefusal(batchOf(job), await stepOf(job))) allowed.push(job);
      core.logger.info({ queue, jobs: allowed.length, by: actor.username }, 'quarantined jobs retried');
      const retried: JobSummary[] = [];
      for (const job of allowed) retried.push(toJobSummary(await deps.queue.retry(job.id)));
      return retried;
    },
    resetAfterJam: (device, actor) => resetAfterJam(stageDeps, device, actor),
    thumbnail: (batchId, page, size) => reviewImage(store, batchId, page, size),
    verify: (options) => verifyStation({ layout: core.layout, store, audit: deps.audit }, options),
    async settleOrphans() {
      // Only a batch seen stuck on two sweeps in a row: a stage change that is about to enqueue
      // its next job is never mistaken for one.
      const seen = new Map((await orphanedBatches(store, deps.queue)).map((o) => [o.batchId, o]));
      let settled = 0;
      for (const [batchId, orphan] of seen) {
        if (suspects.get(batchId) !== orphan.stage) continue;
        if (store.summary(batchId)?.stage !== orphan.stage) continue; // moved meanwhile
        try {
          quarantineBatch(stageDeps, batchId, orphan.stage, orphan.error, {});
          seen.delete(batchId);
          settled += 1;
        } catch (error) {
          core.logger.warn({ batchId, err: (error as Error).message }, 'could not quarantine yet');
        }
      }
      suspects = new Map([...seen].map(([id, o]) => [id, o.stage]));
      return settled;
    },
    close: async () => {
      unsubscribe();
      work.close();
      search.close();
      await ocr.close();
    },
  };
  return pipeline;

  /** A jam was cleared: the device's capture jobs waiting out their backoff may run now. */
  async function promoteWaitingCaptures(device: string): Promise<void> {
    try {
      const waiting = await deps.queue.list({ state: 'retrying', queue: `device:${device}` });
      for (const job of waiting.items) await deps.queue.promote(job.id).catch(() => undefined);
    } catch (error) {
      core.logger.warn({ device, err: (error as Error).message }, 'could not promote waiting captures');
    }
  }

  /** A cancelled batch's jobs that have not started end cancelled (the running one ends on its own). */
  async function withdrawJobs(batchId: string): Promise<void> {
    const jobsOfBatch = await deps.queue.list({ batchId, limit: 500 });
    for (const job of jobsOfBatch.items) {
      if (job.state !== 'waiting' && job.state !== 'delayed' && job.state !== 'retrying') continue;
      // The job may have started meanwhile; then its stage finds the batch cancelled.
      await deps.queue.cancel(job.id).catch(() => undefined);
    }
  }

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
        object: masterObject(batchId, page.page, page.masterPath),
        person: by,
      });
    }
    store.forgetPages(batchId, pages);
  }
}
