import type { queueCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';
import { actor } from './auth-handlers';

export function queueHandlers(station: Station): Pick<HandlerTable, keyof typeof queueCommands> {
  const { queue, pipeline } = station;
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
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
    // Whether a batch's job may run again is the pipeline's rule (batch-policy.ts), as for the CLI.
    'queue.retry': ({ id }, context) => pipeline.retryJob(id, actor(context)),
    'queue.retryAllFailed': ({ queue: name }, context) => pipeline.retryAllFailed(name, actor(context)),
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
