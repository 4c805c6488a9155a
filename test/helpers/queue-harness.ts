import { z } from 'zod';
import { FakeClock, systemClock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/logger';
import { JobQueue } from '../../electron/queue/sqlite/job-queue';
import { SqliteQueueStore, type JobRecord } from '../../electron/queue/sqlite/store';
import { openDatabase } from '../../electron/storage/index';
import { createBullmqTaskQueue } from '../../electron/queue/bullmq/engine';
import type { TaskQueue, WorkflowOutcome } from '../../electron/queue/queue';
import { createSqliteTaskQueue, type SqliteTaskQueue } from '../../electron/queue/sqlite/engine';
import { makeTempDir } from './temp-dir';

/**
 * The SQLite store behind a station's queue, for tests that set up job states directly (the
 * engine's own tests, and pipeline tests that need a job in a given state).
 */
export function sqliteStore(station: { queue: TaskQueue }) {
  if (station.queue.engine !== 'sqlite') throw new Error('this test needs the SQLite engine');
  return (station.queue as SqliteTaskQueue).store;
}

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

export type EngineName = 'sqlite' | 'bullmq';

/**
 * One engine behind the TaskQueue interface, for the behaviour suite that runs the same tests
 * on both: SQLite on a fresh file, or BullMQ on a test Redis under a key prefix of its own.
 * Real clock; job events and workflow outcomes are awaited, never slept for.
 */
export async function engineHarness(
  engine: EngineName,
  redisUrl: string | null,
  options: { serviceWaitMs?: number } = {},
) {
  const dir = makeTempDir('quire-engine-');
  const changes = new Set<(job: JobRecord) => void>();
  const outcomes: WorkflowOutcome[] = [];
  const outcomeWaiters = new Map<string, (o: WorkflowOutcome) => void>();
  const onChange = (job: JobRecord) => changes.forEach((l) => l(job));
  const onWorkflow = (o: WorkflowOutcome) => {
    outcomes.push(o);
    outcomeWaiters.get(o.id)?.(o);
  };
  let db: ReturnType<typeof openDatabase> | null = null;
  let queue: TaskQueue;
  if (engine === 'sqlite') {
    db = openDatabase(`${dir.path}/quire.db`);
    queue = createSqliteTaskQueue(
      { db, clock: systemClock, logger: silentLogger() },
      { onChange, onWorkflow, serviceWaitMs: options.serviceWaitMs },
    );
  } else {
    queue = await createBullmqTaskQueue({
      url: redisUrl!,
      station: 'test-station',
      prefix: `t${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      clock: systemClock,
      logger: silentLogger(),
      onChange,
      onWorkflow,
      serviceWaitMs: options.serviceWaitMs,
    });
  }
  return {
    queue,
    /** Resolves at the first job change matching the predicate. */
    when: (predicate: (job: JobRecord) => boolean) =>
      new Promise<JobRecord>((resolve) => {
        const listener = (job: JobRecord) => {
          if (!predicate(job)) return;
          changes.delete(listener);
          resolve(job);
        };
        changes.add(listener);
      }),
    /** Resolves when the workflow finished (completed or failed). */
    workflow: (id: string) =>
      new Promise<WorkflowOutcome>((resolve) => {
        const seen = outcomes.find((o) => o.id === id);
        if (seen) resolve(seen);
        else outcomeWaiters.set(id, resolve);
      }),
    async close() {
      await queue.close();
      db?.close();
      dir.cleanup();
    },
  };
}
