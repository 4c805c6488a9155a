import type { BatchStage } from '../../shared/contract/index';
import type { TaskQueue } from '../queue/queue';
import type { BatchStore } from './batches/batch-store';

/** Stages in which a batch is waiting on its jobs. */
const WORKING: BatchStage[] = ['validating', 'capturing', 'qc', 'derivatives', 'packaging'];
const OPEN = new Set(['waiting', 'active', 'retrying', 'delayed']);

/**
 * Batches in a working stage with no job left to run and a quarantined job: nothing will move
 * them again. The quarantine of the batch is written when its job is quarantined; when that write
 * fails (a full disk at that moment), nothing else would ever move the batch again, so a
 * station settles such batches at start and then every few seconds.
 */
export async function orphanedBatches(
  store: BatchStore,
  queue: Pick<TaskQueue, 'list'>,
): Promise<{ batchId: string; stage: BatchStage; error: string }[]> {
  const found: { batchId: string; stage: BatchStage; error: string }[] = [];
  for (const stage of WORKING) {
    for (const batch of store.list({ stage, limit: 1000, offset: 0 }).items) {
      const jobs = (await queue.list({ batchId: batch.id, limit: 500 })).items.filter(
        (job) => job.type !== 'batch.transfer',
      );
      if (jobs.some((job) => OPEN.has(job.state))) continue;
      // A chord whose other member completed after this one gave up still never goes on.
      const failed = jobs
        .filter((job) => job.state === 'quarantined')
        .sort((a, b) => b.updatedAt - a.updatedAt)[0];
      if (!failed) continue;
      found.push({ batchId: batch.id, stage: batch.stage, error: failed.lastError ?? 'the job failed' });
    }
  }
  return found;
}
