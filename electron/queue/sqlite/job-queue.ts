import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Clock, TimerHandle } from '../../core/clock';
import type { Logger } from '../../core/logger';
import { diskFullMessage, isDiskFull } from '../../storage/index';
import { backoffDelay, DEFAULT_RETRY, DEFAULT_SERVICE_WAIT_MS, serviceWaitDelay } from '../backoff';
import { classify, FatalError } from '../errors';
import { defaultQueueConfig } from '../queue-config';
import type { JobTypeOptions, QueueConfig, WorkflowOutcome } from '../queue';
import { runHandler } from '../run-handler';
import { SqliteProducer } from './producer';
import type { AckRequest, JobRecord, QueueStore } from './store';

export type { EnqueueOptions, HandlerContext, JobTypeOptions, QueueConfig, StepSpec } from '../queue';

/** How soon a queue tries again to lease after the lease itself could not be written. */
const PUMP_RETRY_MS = 5_000;

interface QueueRuntime {
  config: QueueConfig;
  active: number;
  starts: number[];
  timer: TimerHandle | null;
}

interface PendingAck extends AckRequest {
  job: JobRecord;
  settled: () => void;
}

/**
 * The embedded durable queue: producers enqueue JSON jobs of registered types; a worker per
 * named queue leases them one at a time (prefetch 1) up to the queue's concurrency, keeps the
 * lease alive while the handler runs, and acknowledges only after it finished (acks-late).
 * Failures are classified: transient ones come back after exponential backoff with full
 * jitter, fatal or exhausted ones are quarantined with every attempt's error.
 *
 * Group commit: handlers that finish in the same turn of the event loop are acknowledged in
 * one transaction, which also leases the jobs for the slots they freed. A crash before that
 * commit only means the finished jobs run again (the at-least-once promise of acks-late); a
 * job is never acknowledged twice, because each ack is fenced by its lease token.
 */
export class JobQueue extends SqliteProducer {
  private readonly queues = new Map<string, QueueRuntime>();
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private reclaimTimer: TimerHandle | null = null;
  private pendingAcks: PendingAck[] = [];
  private flushScheduled = false;
  readonly workerId = `station-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    store: QueueStore,
    clock: Clock,
    private readonly logger: Logger,
    onChange: (job: JobRecord) => void,
    onWorkflow: (event: WorkflowOutcome) => void = () => {},
    private readonly visibilityMs = 60_000,
    private readonly random: () => number = Math.random,
    private readonly serviceWaitMs = DEFAULT_SERVICE_WAIT_MS,
  ) {
    super(store, clock, onChange, onWorkflow);
  }

  configureQueue(queue: string, config: Partial<QueueConfig>): void {
    const runtime = this.runtime(queue);
    runtime.config = { ...runtime.config, ...config };
    this.pump(queue);
  }

  /** Recovers from a crash (every job left active is re-queued or quarantined), then starts the workers. */
  start(): void {
    if (this.running) return;
    this.running = true;
    try {
      this.inTransaction(() => {
        for (const job of this.store.reclaim(this.clock.now(), true)) {
          this.later(() => this.onChange(job));
          if (job.state === 'quarantined') this.workflows.fail(job);
        }
      });
    } catch (error) {
      // A full database cannot record the recovery now; the jobs' leases run out and the
      // reclaim timer recovers them once there is space again.
      this.logger.error({ err: (error as Error).message }, 'could not recover jobs left active at start');
    }
    const queues = new Set<string>([...this.queues.keys()]);
    this.store.queuesWithReadyJobs().forEach((q) => queues.add(q));
    queues.forEach((q) => this.pump(q));
    this.scheduleReclaim();
  }

  /** Stops leasing, signals running handlers, and waits for them (and their acks) to settle. */
  async stop(): Promise<void> {
    this.running = false;
    for (const runtime of this.queues.values()) if (runtime.timer) this.clock.clearTimeout(runtime.timer);
    if (this.reclaimTimer) this.clock.clearTimeout(this.reclaimTimer);
    this.controllers.forEach((c) => c.abort());
    await Promise.allSettled([...this.inFlight]);
  }

  /** Re-queues or quarantines jobs whose lease expired (stuck or lost in-process work). */
  private scheduleReclaim(): void {
    this.reclaimTimer = this.clock.setTimeout(() => {
      if (!this.running) return;
      const queues = new Set<string>();
      try {
        this.inTransaction(() => {
          for (const job of this.store.reclaim(this.clock.now(), false)) {
            this.later(() => this.onChange(job));
            if (job.state === 'quarantined') this.workflows.fail(job);
            queues.add(job.queue);
          }
        });
      } catch (error) {
        // A timer must never throw (an uncaught error would stop the station): a full disk or
        // database only postpones the reclaim to the next round, when there may be space again.
        this.logger.error({ err: (error as Error).message }, 'could not reclaim expired leases; will retry');
      }
      queues.forEach((q) => this.pump(q));
      this.scheduleReclaim();
    }, this.visibilityMs / 2);
    this.reclaimTimer.unref?.();
  }

  private runtime(queue: string): QueueRuntime {
    let runtime = this.queues.get(queue);
    if (!runtime) {
      runtime = { config: defaultQueueConfig(queue), active: 0, starts: [], timer: null };
      this.queues.set(queue, runtime);
    }
    return runtime;
  }

  /** How many jobs the queue may start now: its free slots, within its rate limit. */
  private allowance(runtime: QueueRuntime, now: number): number {
    const free = runtime.config.concurrency - runtime.active;
    const limit = runtime.config.rateLimit;
    if (!limit) return Math.max(0, free);
    runtime.starts = runtime.starts.filter((t) => now - t < limit.perMs);
    return Math.max(0, Math.min(free, limit.max - runtime.starts.length));
  }

  /** Leases as many ready jobs as the queue's concurrency and rate limit allow, in one transaction. */
  pump(queue: string): void {
    if (!this.running) return;
    if (this.inOpenTransaction) {
      this.later(() => this.pump(queue));
      return;
    }
    const runtime = this.runtime(queue);
    const now = this.clock.now();
    try {
      const allowed = this.allowance(runtime, now);
      const jobs =
        allowed > 0 ? this.store.leaseUpTo(queue, this.workerId, now, this.visibilityMs, allowed) : [];
      this.startLeased(queue, runtime, jobs, allowed, now);
    } catch (error) {
      // pump runs from timers and callbacks, where a throw would be uncaught: a lease that could
      // not be written (a full database) is tried again a little later instead.
      this.logger.error({ queue, err: (error as Error).message }, 'could not lease jobs; will retry');
      this.wakeAt(queue, now + PUMP_RETRY_MS);
    }
  }

  /** Runs freshly leased jobs, then sets the wake-up for when more may start. */
  private startLeased(
    queue: string,
    runtime: QueueRuntime,
    jobs: JobRecord[],
    allowed: number,
    now: number,
  ): void {
    if (runtime.timer) {
      this.clock.clearTimeout(runtime.timer);
      runtime.timer = null;
    }
    for (const job of jobs) {
      runtime.active += 1;
      runtime.starts.push(now);
      this.onChange(job);
      const run = this.execute(job).finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }
    if (!this.running || runtime.active >= runtime.config.concurrency) return;
    const limit = runtime.config.rateLimit;
    if (jobs.length === allowed && limit && runtime.starts.length >= limit.max) {
      this.wakeAt(queue, runtime.starts[0]! + limit.perMs);
      return;
    }
    if (jobs.length < allowed && !this.store.isPaused(queue)) {
      const next = this.store.nextAvailableAt(queue);
      if (next !== null) this.wakeAt(queue, next);
    }
  }

  private wakeAt(queue: string, at: number): void {
    const runtime = this.runtime(queue);
    if (runtime.timer) this.clock.clearTimeout(runtime.timer);
    runtime.timer = this.clock.setTimeout(
      () => {
        runtime.timer = null;
        this.pump(queue);
      },
      Math.max(0, at - this.clock.now()),
    );
    runtime.timer.unref?.();
  }

  private async execute(job: JobRecord): Promise<void> {
    const spec = this.types.get(job.type);
    const token = job.leaseToken!;
    const controller = new AbortController();
    this.controllers.add(controller);
    let result: unknown;
    try {
      if (!spec) throw new FatalError(`no handler is registered for job type ${job.type}`);
      result = await runHandler(
        spec,
        job,
        controller,
        this.clock,
        () => this.renewLease(job, token),
        this.visibilityMs / 3,
      );
    } catch (error) {
      this.release(job.queue);
      this.failed(job, token, spec, error);
      this.pump(job.queue);
      return;
    } finally {
      this.controllers.delete(controller);
    }
    await new Promise<void>((settled) => {
      this.pendingAcks.push({ id: job.id, job, token, result, settled });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushAcks());
      }
    });
  }

  /** The heartbeat's lease renewal; runs in a timer, so it logs a failed write instead of throwing. */
  private renewLease(job: JobRecord, token: string): boolean {
    try {
      return this.store.extendLease(job.id, token, this.clock.now() + this.visibilityMs);
    } catch (error) {
      // Keep beating: the next renewal may find space. If none does, the lease runs out and the
      // late ack is refused by its token, as for any lost worker.
      this.logger.warn({ jobId: job.id, err: (error as Error).message }, 'could not renew a lease');
      return true;
    }
  }

  private release(queue: string): void {
    this.runtime(queue).active -= 1;
  }

  /**
   * One commit for every handler that finished since the last flush: their acks, the workflow
   * steps those acks trigger, and the leases of the next jobs for the freed slots.
   */
  private flushAcks(): void {
    this.flushScheduled = false;
    const batch = this.pendingAcks;
    this.pendingAcks = [];
    const queues = [...new Set(batch.map((b) => b.job.queue))];
    batch.forEach((b) => this.release(b.job.queue));
    const now = this.clock.now();
    const leased = new Map<string, { jobs: JobRecord[]; allowed: number }>();
    let acked: (JobRecord | null)[];
    try {
      acked = this.inTransaction(() => {
        const done = batch.map((b) =>
          this.store.ackInTransaction(b, now, (job) => this.workflows.advance(job), b.job),
        );
        if (this.running)
          for (const queue of queues) {
            const allowed = this.allowance(this.runtime(queue), now);
            const jobs = this.store.leaseInTransaction(queue, this.workerId, now, this.visibilityMs, allowed);
            leased.set(queue, { jobs, allowed });
          }
        return done;
      });
    } catch (error) {
      // The group's commit failed (a full disk, say) and none of it happened. Each job is then
      // acknowledged on its own, so one bad step fails only its own job.
      this.logger.warn(
        { err: (error as Error).message, jobs: batch.length },
        'group commit failed; acking one by one',
      );
      leased.clear();
      acked = batch.map((b) => this.ackAlone(b));
    }
    batch.forEach((b, i) => {
      const job = acked[i];
      if (job) this.onChange(job);
      b.settled();
    });
    for (const queue of queues) {
      const lease = leased.get(queue);
      if (lease) this.startLeased(queue, this.runtime(queue), lease.jobs, lease.allowed, now);
      else this.pump(queue);
    }
  }

  private ackAlone(pending: PendingAck): JobRecord | null {
    try {
      return this.inTransaction(() =>
        this.store.ackInTransaction(
          pending,
          this.clock.now(),
          (job) => this.workflows.advance(job),
          pending.job,
        ),
      );
    } catch (error) {
      this.failed(pending.job, pending.token, this.types.get(pending.job.type), error);
      return null;
    }
  }

  private failed(
    job: JobRecord,
    token: string,
    spec: JobTypeOptions<z.ZodType> | undefined,
    error: unknown,
  ): void {
    const cls = classify(error);
    if (cls === 'waiting') return this.waitForService(job, token, error as Error);
    const policy = { ...DEFAULT_RETRY, ...spec?.retry };
    const now = this.clock.now();
    const retryAt =
      cls !== 'transient' || job.attempts >= job.maxAttempts
        ? null
        : now + backoffDelay(policy, job.attempts, this.random);
    const err = error instanceof Error ? error : new Error(String(error));
    // Whatever the handler threw, a full disk is named as such in the job's last error.
    const message = isDiskFull(err) ? diskFullMessage(err) : err.message;
    let failed: JobRecord | null;
    try {
      failed = this.inTransaction(() =>
        this.store.fail(job.id, token, now, { cls, message, stack: err.stack ?? null }, retryAt, (f) => {
          if (f.state !== 'retrying') this.workflows.fail(f);
        }),
      );
    } catch (storeError) {
      // Nothing could be written (a full disk, say): the job stays leased, and when its lease
      // runs out it is reclaimed and counted as a lost attempt. Nothing is lost or skipped.
      this.logger.error(
        { jobId: job.id, err: (storeError as Error).message, jobError: message },
        'could not record a failed attempt',
      );
      return;
    }
    if (!failed) return; // the lease was lost meanwhile: the late result is ignored
    this.logger.warn(
      { jobId: job.id, type: job.type, attempt: job.attempts, cls, err: message },
      failed.state === 'retrying' ? 'job will be retried' : `job ${failed.state}`,
    );
    this.onChange(failed);
  }

  /** The job waits for a service that did not answer, its attempt given back (see QueueStore.wait). */
  private waitForService(job: JobRecord, token: string, error: Error): void {
    const now = this.clock.now();
    let waiting: JobRecord | null;
    try {
      waiting = this.inTransaction(() =>
        this.store.wait(
          job.id,
          token,
          now,
          error.message,
          now + serviceWaitDelay(this.serviceWaitMs, this.random),
        ),
      );
    } catch (storeError) {
      // As for a failed attempt: the lease runs out and the job comes back as a lost attempt.
      this.logger.error(
        { jobId: job.id, err: (storeError as Error).message, jobError: error.message },
        'could not record that a job waits',
      );
      return;
    }
    if (!waiting) return;
    this.logger.warn({ jobId: job.id, type: job.type, err: error.message }, 'job waits for a service');
    this.onChange(waiting);
  }
}
