import type { CoreContext } from '../../core/core-context';
import { operatorActions } from '../operations';
import type { TaskQueue, WorkflowOutcome } from '../queue';
import { runAndAwait } from '../run-and-await';
import { sqliteBackend } from './backend';
import { JobOutcomes } from './job-outcomes';
import { JobQueue } from './job-queue';
import { SqliteQueueStore, type JobRecord } from './store';

/** The SQLite engine behind the TaskQueue interface; `store` is for this engine's own tests. */
export interface SqliteTaskQueue extends TaskQueue {
  readonly engine: 'sqlite';
  readonly store: SqliteQueueStore;
  readonly jobs: JobQueue;
}

export interface SqliteEngineOptions {
  onChange: (job: JobRecord) => void;
  onWorkflow?: (outcome: WorkflowOutcome) => void;
  visibilityMs?: number;
  random?: () => number;
  /** How long a job waits for a service that did not answer before it tries again (backoff.ts). */
  serviceWaitMs?: number;
}

/**
 * One station's durable queue in its own database. Every call does its work at once (SQLite is
 * synchronous): a job enqueued is stored when the call returns, before its promise settles.
 */
export function createSqliteTaskQueue(
  core: Pick<CoreContext, 'db' | 'clock' | 'logger'>,
  options: SqliteEngineOptions,
): SqliteTaskQueue {
  const store = new SqliteQueueStore(core.db);
  const outcomes = new JobOutcomes(store);
  const onChange = (job: JobRecord) => {
    options.onChange(job);
    outcomes.notify(job);
  };
  const jobs = new JobQueue(
    store,
    core.clock,
    core.logger.child({ module: 'queue' }),
    onChange,
    options.onWorkflow,
    options.visibilityMs,
    options.random,
    options.serviceWaitMs,
  );
  const backend = sqliteBackend(store, jobs, core.clock);
  const actions = operatorActions(
    backend,
    (job) => {
      onChange(job);
      jobs.pump(job.queue);
    },
    (queue) => jobs.pump(queue),
  );
  // A synchronous throw becomes a rejected promise, as on any engine.
  const now = async <T>(work: () => T): Promise<T> => work();
  return {
    engine: 'sqlite',
    store,
    jobs,
    connection: () => ({ engine: 'sqlite', connected: true, detail: 'embedded SQLite queue' }),
    register: (type, spec) => jobs.register(type, spec),
    configureQueue: (queue, config) => jobs.configureQueue(queue, config),
    enqueue: (type, payload, opts) => now(() => jobs.enqueue(type, payload, opts)),
    enqueueMany: (items) => now(() => jobs.enqueueMany(items)),
    chain: (steps) => now(() => jobs.chain(steps)),
    group: (steps) => now(() => jobs.group(steps)),
    chord: (steps, callback) => now(() => jobs.chord(steps, callback)),
    workflowState: backend.workflowState,
    list: backend.list,
    counts: backend.counts,
    metrics: backend.metrics,
    ...actions,
    runAndAwait: (steps, opts) =>
      runAndAwait(
        {
          enqueueMany: (items) => now(() => jobs.enqueueMany(items)),
          backend,
          retry: (id) => actions.retry(id),
          outcome: (job, signal) => outcomes.outcome(job, signal),
        },
        steps,
        opts,
      ),
    start: async () => jobs.start(),
    close: () => jobs.stop(),
  };
}
