import type { queueCommands } from '../../shared/contract/index';
import { conflict } from '../core/station-error';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function queueHandlers(station: Station): Pick<HandlerTable, keyof typeof queueCommands> {
  const { queue } = station;
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const isUnderReview = (batchId: string | null) =>
    batchId !== null && station.pipeline.store.summary(batchId)?.stage === 'quarantined';
  const underReview = (batchId: string | null) => {
    if (isUnderReview(batchId))
      throw conflict(`batch ${batchId} is in quarantine: a supervisor decides there`);
  };
  return {
    'queue.list': (filter) => queue.list(filter),
    'queue.show': ({ id }) => {
      const { job, summary, attempts } = queue.show(id);
      return {
        ...summary,
        payload: job.payload,
        attemptsHistory: attempts.map((a) => ({
          ...a,
          startedAt: iso(a.startedAt)!,
          finishedAt: iso(a.finishedAt),
        })),
      };
    },
    'queue.counts': () => queue.store.counts(),
    'queue.metrics': () => {
      const now = station.clock.now();
      return {
        lastFiveMinutes: queue.store.metrics(now - 5 * 60_000),
        lastHour: queue.store.metrics(now - 60 * 60_000),
      };
    },
    'queue.retry': ({ id }) => {
      underReview(queue.show(id).job.batchId);
      return queue.retry(id);
    },
    // Jobs of batches awaiting a supervisor's decision stay put: retrying them would bypass it.
    'queue.retryAllFailed': ({ queue: name }) =>
      queue.store
        .list({ state: 'quarantined', queue: name, limit: 10_000 })
        .items.filter((job) => !isUnderReview(job.batchId))
        .map((job) => queue.retry(job.id)),
    'queue.cancel': ({ id }) => queue.cancel(id),
    'queue.promote': ({ id }) => queue.promote(id),
    'queue.remove': ({ id }) => {
      queue.remove(id);
      return { removed: id };
    },
    'queue.pause': ({ queue: name }) => ({ paused: queue.setPaused(name, true) }),
    'queue.resume': ({ queue: name }) => ({ paused: queue.setPaused(name, false) }),
  };
}
