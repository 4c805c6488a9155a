import type { JobSummary } from '../../shared/contract/index';
import type { CoreContext } from '../core/core-context';
import { conflict, notFound } from '../core/station-error';
import { JobQueue } from './job-queue';
import { SqliteQueueStore, type JobFilter, type JobRecord } from './sqlite-store';

/**
 * The durable task queue as the station sees it. The pipeline registers job types with
 * `jobs.register(type, { schema, queue, retry, softTimeoutMs, hardTimeoutMs, handler })` and
 * builds workflows with `jobs.chain`, `jobs.group` and `jobs.chord`; the console and the CLI
 * use the operations below. `start()` recovers jobs a crash left active, then runs workers.
 */
export interface QueueModule {
  readonly jobs: JobQueue;
  readonly store: SqliteQueueStore;
  start(): void;
  list(filter: JobFilter): { total: number; items: JobSummary[] };
  show(id: string): {
    job: JobRecord;
    summary: JobSummary;
    attempts: ReturnType<SqliteQueueStore['attempts']>;
  };
  retry(id: string): JobSummary;
  /** Every quarantined job of one queue runs again. */
  retryAllFailed(queue: string): JobSummary[];
  cancel(id: string): JobSummary;
  promote(id: string): JobSummary;
  remove(id: string): void;
  setPaused(queue: string, paused: boolean): string[];
  close(): Promise<void>;
}

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

export async function createQueueModule(core: CoreContext): Promise<QueueModule> {
  const store = new SqliteQueueStore(core.db);
  const jobs = new JobQueue(
    store,
    core.clock,
    core.logger.child({ module: 'queue' }),
    (job) => core.events.emit('job.updated', toJobSummary(job)),
    (wf) =>
      core.logger.info({ workflowId: wf.id, state: wf.state, failure: wf.failure }, 'workflow finished'),
  );
  const must = (job: JobRecord | null, id: string, action: string): JobSummary => {
    if (job) {
      core.events.emit('job.updated', toJobSummary(job));
      jobs.pump(job.queue);
      return toJobSummary(job);
    }
    if (!store.get(id)) throw notFound(`job ${id}`);
    throw conflict(`job ${id} cannot be ${action} in state ${store.get(id)!.state}`);
  };
  return {
    jobs,
    store,
    start: () => jobs.start(),
    list: (filter) => {
      const page = store.list(filter);
      return { total: page.total, items: page.items.map(toJobSummary) };
    },
    show(id) {
      const job = store.get(id);
      if (!job) throw notFound(`job ${id}`);
      return { job, summary: toJobSummary(job), attempts: store.attempts(id) };
    },
    retry: (id) => must(store.retry(id, core.clock.now()), id, 'retried'),
    retryAllFailed(queue) {
      const jobsRetried = store.retryAllQuarantined(queue, core.clock.now());
      jobsRetried.forEach((job) => core.events.emit('job.updated', toJobSummary(job)));
      jobs.pump(queue);
      return jobsRetried.map(toJobSummary);
    },
    cancel: (id) => must(store.cancel(id, core.clock.now()), id, 'cancelled'),
    promote: (id) => must(store.promote(id, core.clock.now()), id, 'promoted'),
    remove(id) {
      if (!store.get(id)) throw notFound(`job ${id}`);
      if (!store.remove(id)) throw conflict(`job ${id} is running; cancel or wait for it first`);
    },
    setPaused(queue, paused) {
      store.setPaused(queue, paused);
      if (!paused) jobs.pump(queue);
      return store.pausedQueues();
    },
    close: () => jobs.stop(),
  };
}
