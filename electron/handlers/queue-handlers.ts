import type { queueCommands } from '../../shared/contract/index';
import { toJobSummary } from '../queue/module';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';
import { actor } from './auth-handlers';

export function queueHandlers(station: Station): Pick<HandlerTable, keyof typeof queueCommands> {
  const { queue, pipeline } = station;
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    'queue.list': async (filter) => {
      const page = await queue.list(filter);
      return { total: page.total, items: page.items.map(toJobSummary) };
    },
    'queue.show': async ({ id }) => {
      const { job, attempts } = await queue.show(id);
      return {
        ...toJobSummary(job),
        payload: job.payload,
        attemptsHistory: attempts.map((a) => ({
          ...a,
          startedAt: iso(a.startedAt)!,
          finishedAt: iso(a.finishedAt),
        })),
      };
    },
    'queue.counts': () => queue.counts(),
    'queue.metrics': async () => {
      const now = station.clock.now();
      return {
        lastFiveMinutes: await queue.metrics(now - 5 * 60_000),
        lastHour: await queue.metrics(now - 60 * 60_000),
      };
    },
    // Whether a batch's job may run again is the pipeline's rule (batch-policy.ts), as for the CLI.
    'queue.retry': ({ id }, context) => pipeline.retryJob(id, actor(context)),
    'queue.retryAllFailed': ({ queue: name }, context) => pipeline.retryAllFailed(name, actor(context)),
    'queue.cancel': async ({ id }) => toJobSummary(await queue.cancel(id)),
    'queue.promote': async ({ id }) => toJobSummary(await queue.promote(id)),
    'queue.remove': async ({ id }) => {
      await queue.remove(id);
      return { removed: id };
    },
    'queue.pause': async ({ queue: name }) => ({ paused: await queue.setPaused(name, true) }),
    'queue.resume': async ({ queue: name }) => ({ paused: await queue.setPaused(name, false) }),
  };
}
