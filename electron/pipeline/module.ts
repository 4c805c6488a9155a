import type {
  BatchStage,
  BatchSummary,
  DeviceStatus,
  JobSummary,
  SessionUser,
} from '../../shared/contract/index';
import type { AuditModule } from '../audit/module';
import type { CatalogModule } from '../catalog/module';
import type { CoreContext } from '../core/core-context';
import { conflict, invalidInput, StationError } from '../core/station-error';
import { toJobSummary, type QueueModule } from '../queue/module';
import type { JobRecord } from '../queue/queue';
import type { BatchRecords } from '../records/batch-records';
import type { DevicesModule } from '../scanner/module';
import type { TransferModule } from '../transfer/index';
import {
  cancelRefusal,
  decideManyRefusal,
  enforce,
  retryRefusal,
  startRefusal,
  type Actor,
} from './batch-policy';
import { registerBatchWorkflow } from './batch-workflow';
import { BatchStore } from './batches/batch-store';
import { sqliteBatchRecords } from './batches/sqlite-batch-records';
import { resetAfterJam } from './capture-stage';
import { consoleRecords, type ConsoleRecords } from './console-records';
import { createDecisions, type Decision } from './decisions';
import { createDeviceWork, type DeviceWorkModule } from './device-work';
import { createImageWorkPool } from './image-work';
import { watchJobsAndDevices } from './job-watch';
import { labPageWork, registerPageJobs } from './lab-page-work';
import { verifyManifest } from './manifest/verify-manifest';
import { createFullTextSearch, type FullTextSearch } from './ocr-search';
import { lazyOcrEngine } from './ocr-stage';
import { orphanedBatches } from './orphaned-batches';
import { localPageWork } from './page-work';
import { profileRefusalFor } from './profile-fit';
import { labReviewImage, reviewImage } from './review-image';
import { quarantineBatch, type StageDeps } from './stages';
import { verifyStation, type VerifyOptions, type VerifyReport } from './station-verify';
import { unknownDestinations } from './transfer-stage';
import { manifestValidationEvent, startUnstartedBatches } from './unstarted-batches';

export type { Decision } from './decisions';

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
  /**
   * The lab's records of every station's batches (with a lab database): the console lists
   * them all, and a decision on another station's batch is sent to that station.
   */
  labRecords?: BatchRecords | null;
}

/** The batch pipeline: validate → chord(capture ‖ technical metadata) → image QC → derivatives → package, on the durable queue. */
export interface PipelineModule {
  /** This station's own batch records: the batches it created, their pages and decisions. */
  readonly store: BatchStore;
  /** What the console shows: this station's batches, and in a lab every station's. */
  readonly records: ConsoleRecords;
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
  /** Finishes decisions a crash cut short after their commit (see decisions.ts); at start. */
  resumeInterruptedDecisions(): Promise<number>;
  /** Starts batches a crash left created but without a job (see unstarted-batches.ts); at start. */
  startUnstartedBatches(): Promise<string[]>;
  close(): Promise<void>;
}

export async function createPipelineModule(core: CoreContext, deps: PipelineDeps): Promise<PipelineModule> {
  const store = new BatchStore(core.db, core.clock);
  const lab = deps.lab ?? null;
  /** In a lab, the consoles show every batch with the station that holds it. */
  const labelled = (summary: BatchSummary) => (lab ? { ...summary, station: lab.station } : summary);
  const touched = (batchId: string) => {
    const summary = store.summary(batchId);
    if (summary) core.events.emit('batch.updated', labelled(summary));
  };
  const images = createImageWorkPool();
  const jobs = deps.queue;
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
  const work = createDeviceWork({ core, store, queue: deps.queue, devices: deps.devices, audit: deps.audit });
  const search = createFullTextSearch(core, (id) => {
    const batch = store.summary(id);
    const pkg = batch?.stage === 'completed' ? store.detail(id)?.packagePath : null;
    return pkg ? { path: pkg, title: batch!.title } : null;
  });
  void search.catchUp().catch((err: unknown) => core.logger.warn({ err }, 'full-text catch-up failed'));
  const workflow = registerBatchWorkflow({
    jobs,
    stages: stageDeps,
    ocrEngine: ocr.get,
    transfer: deps.transfer,
    station: lab?.station ?? null,
  });
  const labRecords = lab && deps.labRecords ? { station: lab.station, records: deps.labRecords } : null;
  const decisions = createDecisions({
    stages: stageDeps,
    workflow,
    jobs,
    quarantineReasons: deps.quarantineReasons,
    lab: labRecords,
  });
  const records = consoleRecords(sqliteBatchRecords(store), labRecords, core.logger);
  const batchOf = (job: JobRecord) => (job.batchId ? store.summary(job.batchId) : null);
  const stepOf = async (job: JobRecord) => ({
    id: job.id,
    workflow: job.workflowId ? ((await jobs.workflowState(job.workflowId))?.state ?? null) : null,
  });
  const unwatch = watchJobsAndDevices(stageDeps, jobs);

  /** Batches found stuck on the last sweep, with their stage then (see settleOrphans). */
  let suspects = new Map<string, BatchStage>();
  const pipeline: PipelineModule = {
    store,
    records,
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
      // A batch id is the lab's: another station's batch of that id is never shadowed.
      const elsewhere = labRecords ? await labRecords.records.summary(batchId).catch(() => null) : null;
      if (elsewhere && elsewhere.station !== lab?.station)
        throw conflict(`station ${elsewhere.station} already holds a batch ${batchId}; nothing was changed`);
      // Only what the batch list's schema accepts is stored as its summary, valid manifest or not.
      const { record } = check;
      // The batch and its validation event in one commit; its jobs follow (a stop in between
      // is taken up at the next start: startUnstartedBatches).
      const inserted = core.db.transaction(() => {
        const summary = store.insert({
          id: batchId,
          device: record.device,
          title: record.title,
          accessionNumbers: record.accessionNumbers,
          operator: actor?.username ?? record.operator,
          manifest,
          manifestSha256: check.sha256 ?? '',
          pagesExpected: record.pagesExpected,
        });
        if (summary) deps.audit.record(manifestValidationEvent(check, batchId, actor?.username ?? 'system'));
        return summary;
      })();
      if (!inserted) throw conflict(`a batch ${batchId} already exists; nothing was changed`);
      if (!check.ok) {
        quarantineBatch(stageDeps, batchId, 'validating', 'Invalid manifest', {
          validationIssues: check.issues,
        });
      } else {
        await workflow.runFrom(batchId, check.manifest.device, 'capturing');
      }
      touched(batchId);
      return labelled(store.summary(batchId)!);
    },
    decide: (actor, decision) => decisions.decide(actor, decision),
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
      return labelled(store.summary(batchId)!);
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
    async thumbnail(batchId, page, size) {
      if (store.summary(batchId) || !labRecords) return reviewImage(store, batchId, page, size);
      // Another station's batch: its files are in the lab's storage root, which this station
      // reaches through its own mount.
      const held = await labRecords.records.summary(batchId).catch(() => null);
      if (!held?.station) return null;
      const stored = await labRecords.records.page(batchId, page).catch(() => null);
      return labReviewImage(stored, held.station, batchId, lab?.storage ?? null, size);
    },
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
    resumeInterruptedDecisions: () => decisions.resumeInterrupted(),
    startUnstartedBatches: () => startUnstartedBatches(stageDeps, deps.queue, workflow),
    close: async () => {
      unwatch();
      work.close();
      search.close();
      await ocr.close();
    },
  };
  return pipeline;

  /** A cancelled batch's jobs that have not started end cancelled (the running one ends on its own). */
  async function withdrawJobs(batchId: string): Promise<void> {
    const jobsOfBatch = await deps.queue.list({ batchId, limit: 500 });
    for (const job of jobsOfBatch.items) {
      if (job.state !== 'waiting' && job.state !== 'delayed' && job.state !== 'retrying') continue;
      // The job may have started meanwhile; then its stage finds the batch cancelled.
      await deps.queue.cancel(job.id).catch(() => undefined);
    }
  }
}
