import type { JobSummary } from '../../shared/contract/index';
import type { JobRecord } from './queue';

/** A job as the contract shows it to the console and the CLI. */
export function toJobSummary(job: JobRecord): JobSummary {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    id: job.id,
    queue: job.queue,
    type: job.type,
    state: job.state,
    priority: job.priority,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    batchId: job.batchId,
    workflowId: job.workflowId,
    lastError: job.lastError,
    availableAt: iso(job.availableAt),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
  };
}
