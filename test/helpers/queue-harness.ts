import { z } from 'zod';
import { FakeClock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/logger';
import { JobQueue } from '../../electron/queue/job-queue';
import { SqliteQueueStore, type JobRecord } from '../../electron/queue/sqlite-store';
import { openDatabase } from '../../electron/storage/index';
import { makeTempDir } from './temp-dir';

/** A real queue on a fresh SQLite file with a fake clock; events are awaited, never slept for. */
export function queueHarness(options: { visibilityMs?: number } = {}) {
  const dir = makeTempDir('quire-queue-');
  const db = openDatabase(`${dir.path}/quire.db`);
  const clock = new FakeClock();
  const store = new SqliteQueueStore(db);
  const listeners = new Set<(job: JobRecord) => void>();
  const workflows: { id: string; state: string; failure: string | null }[] = [];
  const workflowWaiters = new Map<string, () => void>();
  const workflowFinished = (wf: { id: string; state: string; failure: string | null }) => {
    workflows.push(wf);
    workflowWaiters.get(wf.id)?.();
  };
  /** Resolves when the workflow has finished (completed or failed). */
  const whenWorkflow = (id: string) =>
    new Promise<void>((resolve) => {
      if (workflows.some((w) => w.id === id)) resolve();
      else workflowWaiters.set(id, resolve);
    });
  const queue = new JobQueue(
    store,
    clock,
    silentLogger(),
    (job) => listeners.forEach((l) => l(job)),
    workflowFinished,
    options.visibilityMs ?? 60_000,
    () => 1, // deterministic "jitter": the full backoff bound
  );
  /** Resolves at the first job change matching the predicate. */
  const when = (predicate: (job: JobRecord) => boolean) =>
    new Promise<JobRecord>((resolve) => {
      const listener = (job: JobRecord) => {
        if (predicate(job)) {
          listeners.delete(listener);
          resolve(job);
        }
      };
      listeners.add(listener);
    });
  return {
    db,
    clock,
    store,
    queue,
    workflows,
    workflowFinished,
    whenWorkflow,
    when,
    async close() {
      await queue.stop();
      db.close();
      dir.cleanup();
    },
  };
}

export const Payload = z.object({ n: z.number().int() }).strict();
