import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import { diskFullMessage, isDiskFull } from '../../storage/index';
import { backoffDelay, DEFAULT_SERVICE_WAIT_MS, serviceWaitDelay } from '../backoff';
import { classify, FatalError, JobCancelledError } from '../errors';
import type { JobTypes } from '../job-types';
import { defaultQueueConfig } from '../queue-config';
import type { AttemptRecord, JobRecord, QueueConfig, WorkflowOutcome } from '../queue';
import { runHandler } from '../run-handler';
import { attemptNumber, CANCELLED_PREFIX, toBullName, toJobRecord, type JobData } from './job-record';
import type { LabQueues } from './queues';

/** How long closing waits for workers to finish cleanly before it closes them by force. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Lock settings for 100 MB pages. A worker renews its lock every lockDuration/2 while its event
 * loop runs (image work runs on libuv threads, so a derivative of a 600-dpi master does not stall
 * it); two minutes survive a long GC pause or a slow NAS write. Stalled jobs are looked for every
 * minute, and a job that stalled twice (its worker died twice on it) is quarantined.
 */
export const LAB_LOCKS = { lockDuration: 120_000, stalledInterval: 60_000, maxStalledCount: 2 };

/**
 * The reason a run is aborted when its job's lock was lost (Redis unreachable for longer than
 * lockDuration, say): BullMQ has moved or will move the job back to waiting, and another run,
 * here or on another station, may be running it, so this one must record nothing further.
 */
export class LockLostError extends Error {
  override readonly name = 'LockLostError';
}

/** One run of a job on this station. */
interface JobRun {
  controller: AbortController;
  /** Set when the job's lock was lost: the run must record nothing further. */
  lost: LockLostError | null;
}

export interface LabWorkerOptions {
  queues: LabQueues;
  types: JobTypes;
  clock: Clock;
  logger: Logger;
  /** This station's name, stored on every job it runs. */
  name: string;
  consumes: (queue: string) => boolean;
  onChange: (job: JobRecord) => void;
  onWorkflow: (outcome: WorkflowOutcome) => void;
  locks?: Partial<typeof LAB_LOCKS>;
  random?: () => number;
  /** How long a job waits for a service that did not answer before it tries again. */
  serviceWaitMs?: number;
}

/** One BullMQ Worker per consumed queue, each with the queue's own concurrency. */
export class LabWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly configs = new Map<string, QueueConfig>();
  /**
   * Each job running here, by job id: the controller to abort when its lock is lost, and why it
   * was (kept apart so that a run that was not aborted never has to build its AbortSignal).
   */
  private readonly runs = new Map<string, JobRun>();
  private readonly finishedWorkflows = new Set<string>();
  private running = false;
  private readonly locks: typeof LAB_LOCKS;

  constructor(private readonly o: LabWorkerOptions) {
    this.locks = { ...LAB_LOCKS, ...o.locks };
  }

  configureQueue(queue: string, config: Partial<QueueConfig>): void {
    this.configs.set(queue, { ...this.config(queue), ...config });
    const worker = this.workers.get(queue);
    if (worker && config.concurrency) worker.concurrency = config.concurrency;
  }

  private config(queue: string): QueueConfig {
    return this.configs.get(queue) ?? defaultQueueConfig(queue);
  }

  async start(queues: string[]): Promise<void> {
    this.running = true;
    for (const q of queues) this.ensure(q);
    await Promise.all([...this.workers.values()].map((w) => w.waitUntilReady()));
  }

  /** Starts consuming a queue this station takes, the first time it is seen. */
  ensure(queue: string): void {
    if (!this.running || this.workers.has(queue) || !this.o.consumes(queue)) return;
    const config = this.config(queue);
    const worker = new Worker(toBullName(queue), (job, token) => this.process(job, token), {
      connection: this.o.queues.redis,
      prefix: this.o.queues.prefix,
      name: this.o.name,
      concurrency: config.concurrency,
      ...(config.rateLimit
        ? { limiter: { max: config.rateLimit.max, duration: config.rateLimit.perMs } }
        : {}),
      ...this.locks,
      settings: {
        backoffStrategy: (attemptsMade, _type, _err, job) =>
          backoffDelay(this.o.types.retryPolicy(job?.name ?? ''), attemptsMade, this.o.random),
      },
    });
    worker.on('active', (job) => this.o.onChange(toJobRecord(job, 'active')));
    worker.on('completed', (job) => this.completed(job));
    worker.on('failed', (job) => void (job && this.failed(job)));
    worker.on('stalled', (jobId) => void this.lost(queue, jobId));
    // BullMQ 6 does not abort a job whose lock it could not renew (the signal it passes a
    // 3-parameter processor fires only on worker.cancelJob): it only reports the job ids here.
    worker.on('lockRenewalFailed', (jobIds) =>
      jobIds.forEach((id) => this.lockLost(id, 'its lock could not be renewed')),
    );
    // Connection errors are the connection's to report (connection.ts); a worker keeps retrying.
    worker.on('error', (error) => this.o.logger.warn({ queue, err: error.message }, 'lab worker error'));
    this.workers.set(queue, worker);
  }

  private async process(job: Job, token?: string): Promise<unknown> {
    const data = job.data as JobData;
    const spec = this.o.types.get(job.name);
    const startedAt = this.o.clock.now();
    const controller = new AbortController();
    const run: JobRun = { controller, lost: null };
    // The same job started again here while an earlier run of it goes on: BullMQ took the job
    // back from that run (its lock was lost), so the earlier run must stop.
    this.lockLost(job.id!, 'the job was started again on this station');
    this.runs.set(job.id!, run);
    try {
      if (data.cancelledAt) throw new JobCancelledError('cancelled by an operator while it waited');
      if (!spec) throw new FatalError(`no handler is registered for job type ${job.name}`);
      // BullMQ renews the job's lock itself; the heartbeat of run-handler is not needed here.
      const result = await runHandler(
        spec,
        toJobRecord(job, 'active'),
        controller,
        this.o.clock,
        () => false,
        0,
      );
      // A handler that ignored its signal: what it returns is not this run's to report either.
      if (run.lost) throw run.lost;
      return result;
    } catch (error) {
      if (run.lost) throw this.abandoned(job, run.lost);
      if (classify(error) === 'waiting' && token) throw await this.waitForService(job, token, error as Error);
      throw await this.attemptFailed(job, startedAt, error);
    } finally {
      if (this.runs.get(job.id!) === run) this.runs.delete(job.id!);
    }
  }

  /** Aborts the run of a job whose lock this station lost, if one runs here. */
  private lockLost(jobId: string, why: string): void {
    const run = this.runs.get(jobId);
    if (!run || run.lost) return;
    run.lost = new LockLostError(
      `the lock of job ${jobId} was lost (${why}): another station may run the job`,
    );
    run.controller.abort(run.lost);
  }

  /**
   * A run that lost its job's lock ends without counting as an attempt: the job is no longer
   * this run's (BullMQ refuses to move it to failed without its lock, so no attempt is spent,
   * and the stalled check records the lost attempt in its history). Said clearly in the log, as
   * a normal failure would hide that the job may have run twice.
   */
  private abandoned(job: Job, error: LockLostError): Error {
    this.o.logger.warn(
      { jobId: job.id, type: job.name, worker: this.o.name, err: error.message },
      'job lock lost: run aborted, the job is left to the run that holds it',
    );
    return error;
  }

  /**
   * The job waits for a service that did not answer: delayed without spending an attempt
   * (BullMQ's manual delay, which leaves attemptsMade as it was), with what it waits for and how
   * many times it waited in its data, so that its record shows why it does not move and its
   * attempt numbers leave the waits out. Returns BullMQ's DelayedError for the worker to throw.
   */
  private async waitForService(job: Job, token: string, error: Error): Promise<Error> {
    const data = job.data as JobData;
    await job.updateData({ ...data, waitingFor: error.message, waits: (data.waits ?? 0) + 1 });
    const delay = serviceWaitDelay(this.o.serviceWaitMs ?? DEFAULT_SERVICE_WAIT_MS, this.o.random);
    await job.moveToDelayed(Date.now() + delay, token);
    this.o.logger.warn({ jobId: job.id, type: job.name, err: error.message }, 'job waits for a service');
    this.o.onChange(toJobRecord(job, 'delayed'));
    return new DelayedError();
  }

  /** Logs the attempt (the quarantine's history) and turns the error into BullMQ's terms. */
  private async attemptFailed(job: Job, startedAt: number, error: unknown): Promise<Error> {
    const cls = classify(error);
    const err = error instanceof Error ? error : new Error(String(error));
    const message = isDiskFull(err) ? diskFullMessage(err) : err.message;
    const attempt = attemptNumber(job);
    const last = attempt >= (job.opts.attempts ?? 1);
    const outcome: AttemptRecord['outcome'] =
      cls === 'cancelled' ? 'cancelled' : cls === 'fatal' || last ? 'quarantined' : 'retrying';
    const entry: AttemptRecord = {
      attempt,
      worker: this.o.name,
      startedAt,
      finishedAt: this.o.clock.now(),
      outcome,
      errorClass: cls,
      error: message,
      stack: err.stack ?? null,
    };
    await job.log(JSON.stringify(entry)).catch(() => undefined);
    this.o.logger.warn(
      { jobId: job.id, type: job.name, attempt, cls, err: message },
      `job attempt ${outcome}`,
    );
    const out =
      cls === 'cancelled'
        ? new UnrecoverableError(CANCELLED_PREFIX + message)
        : cls === 'fatal'
          ? new UnrecoverableError(message)
          : new Error(message);
    out.stack = err.stack;
    return out;
  }

  private completed(job: Job): void {
    this.o.onChange(toJobRecord(job, 'completed'));
    const data = job.data as JobData;
    if (data.workflowId === job.id) this.workflowEnded(job.id!, 'completed', null);
  }

  private async failed(job: Job): Promise<void> {
    const state = await job.getState().catch(() => 'unknown' as const);
    const record = toJobRecord(job, state);
    this.o.onChange(record);
    const workflowId = (job.data as JobData).workflowId;
    if (workflowId && (record.state === 'quarantined' || record.state === 'cancelled'))
      this.workflowEnded(
        workflowId,
        'failed',
        `${record.type} job ${record.id} ended ${record.state}: ${record.lastError ?? ''}`,
      );
  }

  private workflowEnded(id: string, state: 'completed' | 'failed', failure: string | null): void {
    if (this.finishedWorkflows.has(id)) return;
    this.finishedWorkflows.add(id);
    this.o.onWorkflow({ id, state, failure });
  }

  /** A worker died holding the job (or its lock ran out): the lost attempt joins the history. */
  private async lost(queue: string, jobId: string): Promise<void> {
    // If it is running here, its lock ran out under this run: the job went back to waiting.
    this.lockLost(jobId, 'the job was found stalled');
    const entry: AttemptRecord = {
      attempt: 0,
      worker: null,
      startedAt: this.o.clock.now(),
      finishedAt: this.o.clock.now(),
      outcome: 'lost',
      errorClass: 'transient',
      error: 'the lock expired (worker lost or stuck)',
      stack: null,
    };
    await Job.addJobLog(this.o.queues.get(queue), jobId, JSON.stringify(entry)).catch(() => undefined);
  }

  /** The queues this station consumes now. */
  consumed(): string[] {
    return [...this.workers.keys()].sort();
  }

  async close(): Promise<void> {
    this.running = false;
    this.runs.forEach((run) => run.controller.abort());
    const workers = [...this.workers.values()];
    // Running jobs were told to stop; a worker still waiting on a Redis that does not answer
    // is closed by force after a grace period, so a station's shutdown never hangs.
    const graceful = Promise.allSettled(workers.map((w) => w.close()));
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      graceful.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), CLOSE_GRACE_MS))),
    ]);
    clearTimeout(timer);
    if (late) await Promise.allSettled(workers.map((w) => w.close(true)));
    this.workers.clear();
  }
}
