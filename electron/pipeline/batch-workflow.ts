import type { BatchStage } from '../../shared/contract/index';
import type { BatchManifest } from '../../shared/domain/manifest';
import type { OcrEngine } from '../ocr/index';
import { stationQueue, type QueueModule } from '../queue/module';
import type { StepSpec } from '../queue/queue';
import type { TransferModule } from '../transfer/index';
import { captureStage } from './capture-stage';
import { ocrLanguagesOf, registerOcrStage } from './ocr-stage';
import { BatchRef, CaptureRef, STAGE_ORDER } from './stage-refs';
import { derivativesStage, packageStage, qcStage, technicalMetadataStage, type StageDeps } from './stages';
import { registerTransferStage, transferSteps } from './transfer-stage';

export interface BatchWorkflowDeps {
  jobs: QueueModule;
  stages: StageDeps;
  ocrEngine: () => OcrEngine;
  transfer?: TransferModule;
  /** Lab mode: this station's name (its batches' stages run on its own queue). */
  station: string | null;
}

export interface BatchWorkflow {
  /**
   * Runs a batch from a stage on (../shared/architecture.md): from capture, the capture on the
   * device's own queue in parallel with technical-metadata preparation, as a chord whose
   * callback runs the rest; from a later stage, the chain of the remaining stages.
   */
  runFrom(batchId: string, device: string, from: BatchStage, recapturePages?: number[]): Promise<void>;
}

/**
 * Registers the batch stages' job types and returns how to start a batch's workflow. The jobs
 * of a batch created on a lab station carry its name and run on its own queue, since they read
 * and write the records it holds.
 */
export function registerBatchWorkflow(deps: BatchWorkflowDeps): BatchWorkflow {
  const { jobs, stages } = deps;
  const store = stages.store;
  const ref = (batchId: string) => (deps.station ? { batchId, station: deps.station } : { batchId });
  /** A stage's queue: in a lab, the origin station's own; alone, the stage's usual queue. */
  const stageQueue =
    (usual: string) =>
    (p: { station?: string }): string =>
      p.station ? stationQueue(p.station) : usual;

  /** QC → derivatives → package (from `from` on) as a chain: each starts after the previous succeeded. */
  const chainFrom = async (batchId: string, from: BatchStage, idempotencyKey?: string) => {
    const start = STAGE_ORDER.indexOf(from);
    const steps: StepSpec[] = [];
    const payload = ref(batchId);
    const manifest = store.manifest(batchId) as BatchManifest | null;
    if (start <= 1) steps.push({ type: 'batch.qc', payload, options: { batchId } });
    if (start <= 2) steps.push({ type: 'batch.derivatives', payload, options: { batchId } });
    if (start <= 2 && ocrLanguagesOf(manifest))
      steps.push({ type: 'batch.ocr', payload, options: { batchId } });
    steps.push({ type: 'batch.package', payload, options: { batchId } });
    steps.push(...transferSteps(deps.transfer, batchId, manifest?.transfer_to, deps.station ?? undefined));
    if (idempotencyKey) steps[0]!.options = { batchId, idempotencyKey };
    await jobs.chain(steps);
  };

  jobs.register('batch.capture', {
    schema: CaptureRef,
    queue: (p) => `device:${p.device}`,
    retry: { retries: 10, baseMs: 2_000, capMs: 60_000 },
    handler: (p, { signal }) => captureStage(stages, p, signal),
  });
  jobs.register('batch.techmd', {
    schema: BatchRef,
    queue: stageQueue('io'),
    retry: { retries: 3, baseMs: 2_000 },
    handler: (p) => technicalMetadataStage(stages, p),
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
    handler: (p, { job, signal }) => qcStage(stages, p, { jobId: job.id, signal }),
  });
  jobs.register('batch.derivatives', {
    schema: BatchRef,
    queue: stageQueue('compute'),
    retry: { retries: 3, baseMs: 5_000 },
    handler: (p, { job, signal }) => derivativesStage(stages, p, { jobId: job.id, signal }),
  });
  registerOcrStage(jobs, stages, deps.ocrEngine, stageQueue('compute'));
  jobs.register('batch.package', {
    schema: BatchRef,
    queue: stageQueue('io'),
    retry: { retries: 3, baseMs: 5_000 },
    handler: (p) => packageStage(stages, p),
  });
  if (deps.transfer)
    registerTransferStage(
      jobs,
      {
        transfer: deps.transfer,
        packageDir: (id) => stages.core.layout.batchPackage(id),
        stage: (id) => stages.store.summary(id)?.stage ?? null,
      },
      stageQueue('io'),
    );

  return {
    async runFrom(batchId, device, from, recapturePages) {
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
    },
  };
}
