import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from './backoff';
import { classify, FatalError, TransientError } from './errors';
import type { JobRecord, QueueStore } from './sqlite-store';

export interface HandlerContext {
  job: JobRecord;
  /** Fires at the soft time limit (and on shutdown): clean up and return or throw. */
  signal: AbortSignal;
}

export interface JobTypeOptions<S extends z.ZodType> {
  /** The payload schema: checked on enqueue and again before the handler runs. JSON only. */
  schema: S;
  /** A fixed queue, or routing by payload (e.g. `device:${payload.device}`). */
  queue: string | ((payload: z.output<S>) => string);
  retry?: Partial<RetryPolicy>;
  softTimeoutMs?: number;
  hardTimeoutMs?: number;
  handler: (payload: z.output<S>, context: HandlerContext) => Promise<unknown>;
}

export interface QueueConfig {
  concurrency: number;
  /** At most `max` job starts per `perMs`. */
  rateLimit?: { max: number; perMs: number };
}

export interface EnqueueOptions {
  priority?: number;
  delayMs?: number;
  idempotencyKey?: string;
  batchId?: string;
}

export interface StepSpec {
  type: string;
  payload: unknown;
  options?: EnqueueOptions;
}

/** Default concurrency by queue name: one capture per device, two compute jobs (two cores), eight I/O jobs. */
export function defaultQueueConfig(queue: string): QueueConfig {
  if (queue.startsWith('device:')) return { concurrency: 1 };
  if (queue === 'compute') return { concurrency: 2 };
  if (queue === 'io') return { concurrency: 8 };
  return { concurrency: 1 };
}

interface QueueRuntime {
  config: QueueConfig;
  active: number;
  starts: number[];
  timer: TimerHandle | null;
}

/**
 * The embedded durable queue: producers enqueue JSON jobs of registered types; a worker per
 * named queue leases them one at a time (prefetch 1) up to the queue's concurrency, keeps the
 * lease alive while the handler runs, and acknowledges only after it finished (acks-late).
 * Failures are classified: transient ones come back after exponential backoff with full
 * jitter, fatal or exhausted ones are quarantined with every attempt's error. Workflows (chain,
 * group, chord) are rows advanced in the same transaction as the ack that moves them.
 */
export class JobQueue {
  private readonly types = new Map<string, JobTypeOptions<z.ZodType>>();
  private readonly queues = new Map<string, QueueRuntime>();
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private reclaimTimer: TimerHandle | null = null;
  readonly workerId = `station-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly store: QueueStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onChange: (job: JobRecord) => void,
    private readonly onWorkflow: (event: {
      id: string;
      state: 'completed' | 'failed';
      failure: string | null;
    }) => void = () => {},
    private readonly visibilityMs = 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  register<S extends z.ZodType>(type: string, options: JobTypeOptions<S>): void {
    this.types.set(type, options as unknown as JobTypeOptions<z.ZodType>);
  }

  configureQueue(queue: string, config: Partial<QueueConfig>): void {
    const runtime = this.runtime(queue);
    runtime.config = { ...runtime.config, ...config };
    this.pump(queue);
  }

  enqueue(
    type: string,
    payload: unknown,
    options: EnqueueOptions = {},
    workflowId: string | null = null,
  ): JobRecord {
    const spec = this.types.get(type);
    if (!spec) throw new FatalError(`no handler is registered for job type ${type}`);
    const parsed = spec.schema.parse(payload);
    const queue = typeof spec.queue === 'function' ? spec.queue(parsed) : spec.queue;
    const now = this.clock.now();
    const { job, created } = this.store.insert(
      {
        queue,
        type,
        payload: parsed,
        priority: options.priority,
        maxAttempts: 1 + (spec.retry?.retries ?? DEFAULT_RETRY.retries),
        availableAt: now + (options.delayMs ?? 0),
        idempotencyKey: options.idempotencyKey,
        workflowId,
        batchId: options.batchId,
      },
      now,
    );
    if (created) {
      this.onChange(job);
      this.pump(queue);
    }
    return job;
  }

  /** Steps run one after another; a step starts only when the previous one completed. */
  chain(steps: StepSpec[]): string {
    return this.workflow('chain', steps, null);
  }

  /** Steps run in parallel; the workflow completes when all did. */
  group(steps: StepSpec[]): string {
    return this.workflow('group', steps, null);
  }

  /** A group, then the callback once every member succeeded; if one fails, the chord fails (visibly). */
  chord(steps: StepSpec[], callback: StepSpec): string {
    return this.workflow('chord', steps, callback);
  }

  private workflow(kind: 'chain' | 'group' | 'chord', steps: StepSpec[], callback: StepSpec | null): string {
    if (steps.length === 0) throw new FatalError(`a ${kind} needs at least one step`);
    const id = randomUUID();
    const now = this.clock.now();
    const db = this.store.db;
    const created: JobRecord[] = [];
    db.transaction(() => {
      db.prepare(
        `INSERT INTO queue_workflows (id, kind, state, steps, total, callback, created_at, updated_at) VALUES (?, ?, 'running', ?, ?, ?, ?, ?)`,
      ).run(
        id,
        kind,
        JSON.stringify(steps),
        steps.length,
        callback ? JSON.stringify(callback) : null,
        now,
        now,
      );
      const first = kind === 'chain' ? steps.slice(0, 1) : steps;
      for (const step of first) created.push(this.enqueue(step.type, step.payload, step.options, id));
    }).immediate();
    return id;
  }

  workflowState(id: string): {
    kind: string;
    state: string;
    position: number;
    done: number;
    total: number;
    failure: string | null;
  } | null {
    const row = this.store.db
      .prepare('SELECT kind, state, position, done, total, failure FROM queue_workflows WHERE id = ?')
      .get(id) as
      | { kind: string; state: string; position: number; done: number; total: number; failure: string | null }
      | undefined;
    return row ?? null;
  }

  /** Runs inside the ack's transaction: moves the job's workflow on. */
  private advanceWorkflow(job: JobRecord): void {
    if (!job.workflowId) return;
    const db = this.store.db;
    const wf = db.prepare('SELECT * FROM queue_workflows WHERE id = ?').get(job.workflowId) as
      | {
          id: string;
          kind: string;
          state: string;
          steps: string;
          position: number;
          total: number;
          done: number;
          callback: string | null;
        }
      | undefined;
    if (!wf || wf.state !== 'running') return;
    const now = this.clock.now();
    if (wf.kind === 'chain') {
      const steps = JSON.parse(wf.steps) as StepSpec[];
      const next = wf.position + 1;
      if (next < steps.length) {
        db.prepare(
          'UPDATE queue_workflows SET position = ?, done = done + 1, updated_at = ? WHERE id = ?',
        ).run(next, now, wf.id);
        const step = steps[next]!;
        this.enqueue(step.type, step.payload, step.options, wf.id);
      } else {
        this.finishWorkflow(wf.id, 'completed', null);
      }
      return;
    }
    if (wf.done >= wf.total) {
      // The chord's callback itself completed.
      this.finishWorkflow(wf.id, 'completed', null);
      return;
    }
    db.prepare('UPDATE queue_workflows SET done = done + 1, updated_at = ? WHERE id = ?').run(now, wf.id);
    if (wf.done + 1 < wf.total) return;
    if (wf.kind === 'chord' && wf.callback) {
      const callback = JSON.parse(wf.callback) as StepSpec;
      this.enqueue(callback.type, callback.payload, callback.options, wf.id);
    } else {
      this.finishWorkflow(wf.id, 'completed', null);
    }
  }

  private failWorkflow(job: JobRecord): void {
    if (!job.workflowId) return;
    const state = this.workflowState(job.workflowId);
    if (state?.state !== 'running') return;
    this.finishWorkflow(
      job.workflowId,
      'failed',
      `${job.type} job ${job.id} ended ${job.state}: ${job.lastError ?? ''}`,
    );
  }

  private finishWorkflow(id: string, state: 'completed' | 'failed', failure: string | null): void {
    this.store.db
      .prepare('UPDATE queue_workflows SET state = ?, failure = ?, updated_at = ? WHERE id = ?')
      .run(state, failure, this.clock.now(), id);
    this.onWorkflow({ id, state, failure });
  }

  /** Recovers from a crash (every job left active is re-queued or quarantined), then starts the workers. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const job of this.store.reclaim(this.clock.now(), true)) {
      this.onChange(job);
      if (job.state === 'quarantined') this.failWorkflow(job);
    }
    const queues = new Set<string>([...this.queues.keys()]);
    for (const row of this.store.db
      .prepare("SELECT DISTINCT queue FROM queue_jobs WHERE state IN ('waiting','delayed','retrying')")
      .all() as { queue: string }[]) {
      queues.add(row.queue);
    }
    queues.forEach((q) => this.pump(q));
    this.scheduleReclaim();
  }

  /** Stops leasing, signals running handlers, and waits for them to settle. */
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
      for (const job of this.store.reclaim(this.clock.now(), false)) {
        this.onChange(job);
        if (job.state === 'quarantined') this.failWorkflow(job);
        this.pump(job.queue);
      }
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

  /** Leases as many ready jobs as the queue's concurrency and rate limit allow. */
  pump(queue: string): void {
    if (!this.running) return;
    const runtime = this.runtime(queue);
    if (runtime.timer) {
      this.clock.clearTimeout(runtime.timer);
      runtime.timer = null;
    }
    while (runtime.active < runtime.config.concurrency) {
      const now = this.clock.now();
      const limit = runtime.config.rateLimit;
      if (limit) {
        runtime.starts = runtime.starts.filter((t) => now - t < limit.perMs);
        if (runtime.starts.length >= limit.max) {
          this.wakeAt(queue, runtime.starts[0]! + limit.perMs);
          return;
        }
      }
      const job = this.store.lease(queue, this.workerId, now, this.visibilityMs);
      if (!job) break;
      runtime.active += 1;
      runtime.starts.push(now);
      this.onChange(job);
      const run = this.execute(job).finally(() => {
        runtime.active -= 1;
        this.inFlight.delete(run);
        this.pump(queue);
      });
      this.inFlight.add(run);
    }
    if (runtime.active < runtime.config.concurrency) {
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
    const timers: TimerHandle[] = [];
    const heartbeat = () => {
      timers.push(
        this.clock.setTimeout(() => {
          if (this.store.extendLease(job.id, token, this.clock.now() + this.visibilityMs)) heartbeat();
        }, this.visibilityMs / 3),
      );
    };
    heartbeat();
    try {
      if (!spec) throw new FatalError(`no handler is registered for job type ${job.type}`);
      const payload = spec.schema.parse(job.payload);
      if (spec.softTimeoutMs)
        timers.push(
          this.clock.setTimeout(
            () => controller.abort(new TransientError('soft time limit')),
            spec.softTimeoutMs,
          ),
        );
      const work = spec.handler(payload, { job, signal: controller.signal });
      const result = spec.hardTimeoutMs
        ? await Promise.race([
            work,
            new Promise<never>((_, reject) =>
              timers.push(
                this.clock.setTimeout(
                  () => reject(new TransientError(`hard time limit of ${spec.hardTimeoutMs} ms exceeded`)),
                  spec.hardTimeoutMs!,
                ),
              ),
            ),
          ])
        : await work;
      const acked = this.store.ack(job.id, token, this.clock.now(), result, (done) =>
        this.advanceWorkflow(done),
      );
      if (acked) this.onChange(acked);
    } catch (error) {
      this.failed(job, token, spec, error);
    } finally {
      timers.forEach((t) => this.clock.clearTimeout(t));
      this.controllers.delete(controller);
    }
  }

  private failed(
    job: JobRecord,
    token: string,
    spec: JobTypeOptions<z.ZodType> | undefined,
    error: unknown,
  ): void {
    const cls = classify(error);
    const policy = { ...DEFAULT_RETRY, ...spec?.retry };
    const now = this.clock.now();
    const retryAt =
      cls === 'fatal' || job.attempts >= job.maxAttempts
        ? null
        : now + backoffDelay(policy, job.attempts, this.random);
    const err = error instanceof Error ? error : new Error(String(error));
    const failed = this.store.fail(
      job.id,
      token,
      now,
      { cls, message: err.message, stack: err.stack ?? null },
      retryAt,
    );
    if (!failed) return; // the lease was lost meanwhile: the late result is ignored
    this.logger.warn(
      { jobId: job.id, type: job.type, attempt: job.attempts, cls, err: err.message },
      failed.state === 'quarantined' ? 'job quarantined' : 'job will be retried',
    );
    this.onChange(failed);
    if (failed.state === 'quarantined') this.failWorkflow(failed);
  }
}
