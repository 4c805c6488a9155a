import type { CoreContext } from '../core/core-context';
import { toJobSummary } from './job';
import type { TaskQueue, WorkflowOutcome } from './queue';
import { createSqliteTaskQueue } from './sqlite/engine';

import type { LabStatus } from './bullmq/engine';

export type { LabStatus } from './bullmq/engine';

/**
 * `quire lab status`'s view of the lab's Redis. BullMQ and ioredis load only when a lab needs
 * them: a station alone, and every CLI command, starts without them (about 0.2 s).
 */
export async function readLabStatus(url: string): Promise<LabStatus> {
  const { readLabStatus: read } = await import('./bullmq/engine');
  return read(url);
}
export { toJobSummary } from './job';
export type { TaskQueue } from './queue';
/** The station's queue, whichever engine runs it. */
export type QueueModule = TaskQueue;

/** Lab mode: the station shares its queues with the lab's other stations on one Redis. */
export interface LabOptions {
  /** redis://HOST:PORT of the lab's Redis. */
  redis: string;
  /** This station's name in the lab. */
  station: string;
  /** The lab's shared storage root, which every station mounts. */
  storage?: string;
  /** The shared queues this station consumes (default: default, compute and io). */
  queues?: string[];
}

export const LAB_SHARED_QUEUES = ['default', 'compute', 'io'];

/**
 * The shared queues whose jobs name files in the lab's storage root (the page jobs on
 * `compute`; `io` is file work too). Only a station with that root mounts them.
 */
const LAB_FILE_QUEUES = ['compute', 'io'];

/** What a lab station without a storage root says instead of taking file jobs it cannot do. */
const NO_STORAGE =
  'this station has no lab storage root (--lab-storage or QUIRE_LAB_STORAGE): it cannot reach the files of page jobs';

/** The queue of the stages that read and write one station's batch records (lab mode). */
export const stationQueue = (station: string) => `station:${station}`;

export interface QueueModuleOptions {
  lab?: LabOptions | null;
  /** Whether this station owns a scanner's capture queue (`device:NAME`). */
  ownsDeviceQueue?: (queue: string) => boolean;
  /** The lab's Redis was lost or is back (lab mode only). */
  onConnection?: () => void;
}

/**
 * The durable task queue as the station sees it. The pipeline registers job types with
 * `queue.register(type, { schema, queue, retry, softTimeoutMs, hardTimeoutMs, handler })` and
 * builds workflows with `queue.chain`, `queue.group` and `queue.chord`; the console and the CLI
 * use the reads and operations of TaskQueue. `start()` recovers jobs a crash left active, then
 * runs workers. One station alone runs the embedded SQLite engine; with `lab`, BullMQ on the
 * lab's Redis, where capture queues are consumed only by the station that owns the scanner.
 */
export async function createQueueModule(
  core: CoreContext,
  options: QueueModuleOptions = {},
): Promise<QueueModule> {
  const onChange = (job: Parameters<typeof toJobSummary>[0]) =>
    core.events.emit('job.updated', toJobSummary(job));
  const onWorkflow = (wf: WorkflowOutcome) =>
    core.logger.info({ workflowId: wf.id, state: wf.state, failure: wf.failure }, 'workflow finished');
  const lab = options.lab;
  const serviceWaitMs = serviceWaitFromEnvironment();
  if (!lab) return createSqliteTaskQueue(core, { onChange, onWorkflow, serviceWaitMs });
  const asked = lab.queues ?? LAB_SHARED_QUEUES;
  // Without the storage root, every page job it took would fail there and spend one of the
  // page's attempts (a page taken so a few times would be quarantined for nothing): such a
  // station leaves the file queues to the stations that mount the root, and says so. It still
  // runs its own scanners' capture queues and its own station queue (its stages do their page
  // work in its own process). A station asked for nothing but file queues (`quire worker`)
  // refuses lab work instead of joining the lab to do nothing.
  const refused = lab.storage ? [] : asked.filter((q) => LAB_FILE_QUEUES.includes(q));
  const shared = new Set(asked.filter((q) => !refused.includes(q)));
  if (refused.length && !shared.size)
    throw new Error(`${NO_STORAGE}, and it was asked to run only ${refused.join(' and ')} jobs`);
  if (refused.length)
    core.logger.warn(
      { station: lab.station, refused },
      `${NO_STORAGE}: it does not take ${refused.join(' or ')} jobs`,
    );
  const { createBullmqTaskQueue } = await import('./bullmq/engine');
  return createBullmqTaskQueue({
    url: lab.redis,
    station: lab.station,
    storageRoot: lab.storage,
    clock: core.clock,
    logger: core.logger,
    onChange,
    onWorkflow,
    onConnection: () => options.onConnection?.(),
    locks: labLocksFromEnvironment(),
    serviceWaitMs,
    startQueues: [...shared],
    // A station's own queue (`station:NAME`) carries the stages of the batches it holds the
    // records of: only that station consumes it, as only a scanner's owner its capture queue.
    consumes: (queue) =>
      queue.startsWith('device:')
        ? (options.ownsDeviceQueue?.(queue) ?? false)
        : queue.startsWith('station:')
          ? queue === stationQueue(lab.station)
          : shared.has(queue),
  });
}

/**
 * QUIRE_LAB_LOCK_MS: the lab's job lock in milliseconds (stalled jobs looked for at half of it),
 * instead of the default chosen for 100 MB pages (bullmq/worker.ts). Tests shorten it so a
 * killed worker's job comes back in seconds; a lab on a slow share may lengthen it.
 */
function labLocksFromEnvironment(env: NodeJS.ProcessEnv = process.env) {
  const ms = Number(env.QUIRE_LAB_LOCK_MS);
  if (!env.QUIRE_LAB_LOCK_MS || !Number.isFinite(ms) || ms < 1_000) return undefined;
  return { lockDuration: ms, stalledInterval: Math.round(ms / 2) };
}

/**
 * QUIRE_QUEUE_WAIT_MS: how long a job waits for a service that did not answer (the lab
 * database) before it tries again, instead of the default (backoff.ts). Tests shorten it.
 */
function serviceWaitFromEnvironment(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const ms = Number(env.QUIRE_QUEUE_WAIT_MS);
  return env.QUIRE_QUEUE_WAIT_MS && Number.isFinite(ms) && ms >= 10 ? ms : undefined;
}

/** Lab mode from QUIRE_LAB_REDIS, QUIRE_STATION and QUIRE_LAB_STORAGE (the app's way); null without. */
export function labFromEnvironment(env: NodeJS.ProcessEnv = process.env): LabOptions | null {
  if (!env.QUIRE_LAB_REDIS) return null;
  if (!env.QUIRE_STATION) throw new Error('lab mode (QUIRE_LAB_REDIS) needs a station name in QUIRE_STATION');
  return { redis: env.QUIRE_LAB_REDIS, station: env.QUIRE_STATION, storage: env.QUIRE_LAB_STORAGE };
}
