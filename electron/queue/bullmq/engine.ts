import { z } from 'zod';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import { JobTypes } from '../job-types';
import { operatorActions } from '../operations';
import type { JobRecord, QueueConnection, TaskQueue, WorkflowOutcome } from '../queue';
import { runAndAwait } from '../run-and-await';
import { bullmqBackend } from './backend';
import { LabJobOutcomes } from './job-outcomes';
import os from 'node:os';
import { checkLabRedis, connectLab, type LabLink } from './connection';
import { beat, checkLabStorage, HEARTBEAT_MS, stationsSeen, type StationPresence } from './lab-presence';
import { BullmqProducer, GROUP_DONE, type CompletedRetention } from './producer';
import { LabQueues } from './queues';
import { LabWorkers, type LabWorkerOptions } from './worker';

export interface BullmqEngineOptions {
  /** redis://HOST:PORT of the lab's Redis. */
  url: string;
  /** This station's name in the lab (stored on the jobs it runs). */
  station: string;
  clock: Clock;
  logger: Logger;
  onChange: (job: JobRecord) => void;
  onWorkflow?: (outcome: WorkflowOutcome) => void;
  /** Which queues this station consumes (default: all it sees). */
  consumes?: (queue: string) => boolean;
  /** Queues consumed from the start, before any job of theirs is seen (the station's shared and own queues). */
  startQueues?: string[];
  /** Key prefix: one Redis can hold several labs (and each test its own). */
  prefix?: string;
  onConnection?: (link: LabLink) => void;
  locks?: LabWorkerOptions['locks'];
  /** The lab's shared storage root: checked at start (the station must see the lab's folder). */
  storageRoot?: string;
  random?: () => number;
  /** How long a job waits for a service that did not answer before it tries again (backoff.ts). */
  serviceWaitMs?: number;
  /** How long completed jobs stay in Redis (default 14 days, 100,000 per queue). */
  completedRetention?: CompletedRetention;
}

/**
 * The lab engine: BullMQ on the lab's Redis behind the same TaskQueue interface. Refuses to
 * start on a Redis that may evict or forget jobs (connection.ts).
 */
export async function createBullmqTaskQueue(options: BullmqEngineOptions): Promise<TaskQueue> {
  let link: LabLink = { connected: false, detail: 'lab Redis not connected yet' };
  const redis = connectLab(options.url, (next) => {
    const changed = next.connected !== link.connected;
    link = next;
    if (changed) {
      options.logger[next.connected ? 'info' : 'warn']({ lab: next.detail }, 'lab connection');
      options.onConnection?.(next);
    }
  });
  try {
    await redis.connect();
    await checkLabRedis(redis);
    if (options.storageRoot) await checkLabStorage(redis, options.prefix ?? 'quire', options.storageRoot);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const queues = new LabQueues(redis, options.prefix ?? 'quire');
  const types = new JobTypes();
  types.register(GROUP_DONE, { schema: z.object({}), queue: 'default', handler: async () => null });
  const workers = new LabWorkers({
    queues,
    types,
    clock: options.clock,
    logger: options.logger.child({ module: 'queue', engine: 'bullmq' }),
    name: options.station,
    consumes: options.consumes ?? (() => true),
    onChange: options.onChange,
    onWorkflow: options.onWorkflow ?? (() => {}),
    locks: options.locks,
    random: options.random,
    serviceWaitMs: options.serviceWaitMs,
  });
  const producer = new BullmqProducer(
    types,
    queues,
    (queue) => workers.ensure(queue),
    options.completedRetention,
  );
  const backend = bullmqBackend(queues);
  const actions = operatorActions(backend, options.onChange, () => {});
  const outcomes = new LabJobOutcomes(queues, backend);
  let closed = false;
  let heartbeat: NodeJS.Timeout | null = null;
  const presence = () =>
    beat(redis, queues.prefix, {
      station: options.station,
      queues: workers.consumed(),
      pid: process.pid,
      host: os.hostname(),
    }).catch((error: Error) => options.logger.warn({ err: error.message }, 'lab heartbeat failed'));
  return {
    engine: 'bullmq',
    connection: (): QueueConnection => ({ engine: 'bullmq', ...link }),
    register: (type, spec) => types.register(type, spec),
    configureQueue: (queue, config) => workers.configureQueue(queue, config),
    enqueue: (type, payload, opts) => producer.enqueue(type, payload, opts),
    enqueueMany: (items) => producer.enqueueMany(items),
    chain: (steps) => producer.workflow('chain', steps, null),
    group: (steps) => producer.workflow('group', steps, null),
    chord: (steps, callback) => producer.workflow('chord', steps, callback),
    workflowState: backend.workflowState,
    list: backend.list,
    counts: backend.counts,
    metrics: backend.metrics,
    ...actions,
    runAndAwait: (steps, opts) =>
      runAndAwait(
        {
          enqueueMany: (items) => producer.enqueueMany(items),
          backend,
          retry: (id) => actions.retry(id),
          outcome: (job, signal) => outcomes.outcome(job, signal),
        },
        steps,
        opts,
      ),
    async start() {
      const known = await queues.names();
      await workers.start([...new Set([...types.fixedQueues(), ...known, ...(options.startQueues ?? [])])]);
      await presence();
      heartbeat = setInterval(() => void presence(), HEARTBEAT_MS);
      heartbeat.unref();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      await workers.close();
      await within(5_000, outcomes.close());
      // Closing the queues and quit() wait for Redis to answer; an absent Redis would keep
      // them waiting, and a station's shutdown must not hang on it.
      await within(5_000, queues.close());
      await within(
        2_000,
        redis.quit().catch(() => undefined),
      );
      redis.disconnect();
    },
  };
}

export interface LabStatus {
  lab: string;
  connected: boolean;
  stations: StationPresence[];
  queues: Record<string, Record<string, number>>;
}

/** What `quire lab status` prints: the stations seen with their last heartbeat, and job counts. */
export async function readLabStatus(url: string, prefix = 'quire'): Promise<LabStatus> {
  const redis = connectLab(url, () => {});
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`lab Redis ${url} did not answer within 5 s`)), 5_000);
      }),
    ]).finally(() => clearTimeout(timer));
    const queues = new LabQueues(redis, prefix);
    const counts = await bullmqBackend(queues).counts();
    const stations = await stationsSeen(redis, prefix);
    await queues.close();
    return { lab: url.replace(/\/\/[^@]*@/, '//'), connected: true, stations, queues: counts };
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** Waits for `work`, but no longer than `ms`; its outcome is not needed, only its end. */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}
