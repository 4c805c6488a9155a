import { conflict, notFound } from '../core/station-error';
import type { AttemptRecord, JobRecord, QueueBackend } from './queue';

/** The operator's actions over any engine's backend, with the same errors on both engines. */
export interface OperatorActions {
  show(id: string): Promise<{ job: JobRecord; attempts: AttemptRecord[] }>;
  retry(id: string): Promise<JobRecord>;
  retryAllFailed(queue: string): Promise<JobRecord[]>;
  cancel(id: string): Promise<JobRecord>;
  promote(id: string): Promise<JobRecord>;
  remove(id: string): Promise<void>;
  setPaused(queue: string, paused: boolean): Promise<string[]>;
}

/**
 * Each action is one atomic backend step; when it does not apply, the job is read again to say
 * why (unknown id, or the state it is in). `changed` tells the engine a job moved (an event for
 * the console, a worker to wake); `resumed` that a queue may run again.
 */
export function operatorActions(
  backend: QueueBackend,
  changed: (job: JobRecord) => void,
  resumed: (queue: string) => void,
): OperatorActions {
  const must = async (job: JobRecord | null, id: string, action: string): Promise<JobRecord> => {
    if (job) {
      changed(job);
      return job;
    }
    const current = await backend.get(id);
    if (!current) throw notFound(`job ${id}`);
    throw conflict(`job ${id} cannot be ${action} in state ${current.state}`);
  };
  return {
    async show(id) {
      const job = await backend.get(id);
      if (!job) throw notFound(`job ${id}`);
      return { job, attempts: await backend.attempts(id) };
    },
    retry: async (id) => must(await backend.retry(id), id, 'retried'),
    async retryAllFailed(queue) {
      const retried = await backend.retryAllQuarantined(queue);
      retried.forEach(changed);
      return retried;
    },
    cancel: async (id) => must(await backend.cancel(id), id, 'cancelled'),
    promote: async (id) => must(await backend.promote(id), id, 'promoted'),
    async remove(id) {
      const outcome = await backend.remove(id);
      if (outcome === 'missing') throw notFound(`job ${id}`);
      if (outcome === 'active') throw conflict(`job ${id} is running; cancel or wait for it first`);
    },
    async setPaused(queue, paused) {
      await backend.setPaused(queue, paused);
      if (!paused) resumed(queue);
      return backend.pausedQueues();
    },
  };
}
