import type { Clock } from '../../core/clock';
import type { QueueBackend } from '../queue';
import type { JobQueue } from './job-queue';
import type { SqliteQueueStore } from './store';

/**
 * The backend contract on SQLite: each method is one statement or one transaction of the store.
 * SQLite answers synchronously; the promises only give both engines the same shape.
 */
export function sqliteBackend(store: SqliteQueueStore, jobs: JobQueue, clock: Clock): QueueBackend {
  return {
    get: async (id) => store.get(id),
    attempts: async (id) => store.attempts(id),
    list: async (filter) => store.list(filter),
    counts: async () => store.counts(),
    metrics: async (since) => store.metrics(since),
    workflowState: async (id) => jobs.workflowState(id),
    retry: async (id) => store.retry(id, clock.now()),
    retryAllQuarantined: async (queue) => store.retryAllQuarantined(queue, clock.now()),
    cancel: async (id) => store.cancel(id, clock.now()),
    promote: async (id) => store.promote(id, clock.now()),
    async remove(id) {
      if (store.remove(id)) return 'removed';
      return store.get(id) ? 'active' : 'missing';
    },
    setPaused: async (queue, paused) => store.setPaused(queue, paused),
    pausedQueues: async () => store.pausedQueues(),
  };
}
