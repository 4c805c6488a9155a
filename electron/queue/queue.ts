import type { z } from 'zod';
import type { RetryPolicy } from './backoff';

/**
 * The task queue as the rest of the station sees it, whatever engine runs it: the embedded
 * SQLite queue of a single station (sqlite/) or BullMQ on a lab's Redis (bullmq/). Nothing
 * above this file names an engine, a table or a Redis key.
 *
 * Split in the manner of BullMQ's own code: a job (JobRecord, the value every read returns), a
 * producer side (register, enqueue, workflows), a worker side (start/stop, per-queue
 * concurrency), and one backend contract of atomic operations (QueueBackend) that each engine
 * implements: its SQL transactions, or its Lua scripts.
 */

export type JobState =
  'waiting' | 'delayed' | 'active' | 'completed' | 'retrying' | 'quarantined' | 'cancelled';

/** One job as the engines report it. Times are epoch milliseconds. */
export interface JobRecord {
  id: string;
  queue: string;
  type: string;
  payload: unknown;
  priority: number;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  availableAt: number;
  /** The running attempt's lock (SQLite lease token, BullMQ lock token); null when not active. */
  leaseToken: string | null;
  leaseExpiresAt: number | null;
  worker: string | null;
  idempotencyKey: string | null;
  workflowId: string | null;
  batchId: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** One attempt of a job: the quarantine's attempt history. */
export interface AttemptRecord {
  attempt: number;
  worker: string | null;
  startedAt: number;
  finishedAt: number | null;
  outcome: 'running' | 'completed' | 'retrying' | 'quarantined' | 'lost' | 'cancelled';
  errorClass: string | null;
  error: string | null;
  stack: string | null;
}

export interface JobFilter {
  state?: JobState;
  queue?: string;
  type?: string;
  batchId?: string;
  text?: string;
  limit?: number;
  offset?: number;
}

/** What a handler gets besides its payload. */
export interface HandlerContext {
  job: JobRecord;
  /** Fires at the soft time limit (and on shutdown): clean up and return or throw. */
  signal: AbortSignal;
}

/** A job type, as the pipeline registers it: `register(type, { schema, queue, retry, …, handler })`. */
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

/** One step of a workflow: a job to enqueue when its turn comes. */
export interface StepSpec {
  type: string;
  payload: unknown;
  options?: EnqueueOptions;
}

export type WorkflowKind = 'chain' | 'group' | 'chord';

export interface WorkflowState {
  kind: string;
  state: string;
  position: number;
  done: number;
  total: number;
  failure: string | null;
}

export interface WorkflowOutcome {
  id: string;
  state: 'completed' | 'failed';
  failure: string | null;
}

export interface QueueMetrics {
  queue: string;
  completed: number;
  meanLatencyMs: number | null;
}

/** Whether the engine can reach its store; a lab's console shows "lab disconnected" meanwhile. */
export interface QueueConnection {
  engine: 'sqlite' | 'bullmq';
  connected: boolean;
  detail: string;
}

/**
 * The backend contract: every method is one atomic step of the engine (a SQLite transaction,
 * a BullMQ Lua script or MULTI), so a crash leaves each job in exactly one state. Operator
 * actions return null when the job is not in a state the action applies to.
 */
export interface QueueBackend {
  get(id: string): Promise<JobRecord | null>;
  attempts(id: string): Promise<AttemptRecord[]>;
  list(filter: JobFilter): Promise<{ total: number; items: JobRecord[] }>;
  /** Jobs per queue and state. */
  counts(): Promise<Record<string, Record<string, number>>>;
  metrics(since: number): Promise<QueueMetrics[]>;
  workflowState(id: string): Promise<WorkflowState | null>;
  retry(id: string): Promise<JobRecord | null>;
  retryAllQuarantined(queue: string): Promise<JobRecord[]>;
  cancel(id: string): Promise<JobRecord | null>;
  promote(id: string): Promise<JobRecord | null>;
  /** 'active' when the job is running (it cannot be removed now). */
  remove(id: string): Promise<'removed' | 'missing' | 'active'>;
  setPaused(queue: string, paused: boolean): Promise<void>;
  pausedQueues(): Promise<string[]>;
}

/** The producer side: job types, enqueueing and workflows. */
export interface QueueProducer {
  /** Declares a job type; the same shape on every engine, so job types merge without engine code. */
  register<S extends z.ZodType>(type: string, options: JobTypeOptions<S>): void;
  enqueue(type: string, payload: unknown, options?: EnqueueOptions): Promise<JobRecord>;
  /** All or nothing: one bad payload refuses them all, naming its position. */
  enqueueMany(items: StepSpec[]): Promise<JobRecord[]>;
  /** Steps run one after another; a step starts only when the previous one completed. */
  chain(steps: StepSpec[]): Promise<string>;
  /** Steps run in parallel; the workflow completes when all did. */
  group(steps: StepSpec[]): Promise<string>;
  /** A group, then the callback once every member succeeded; a failed member fails the workflow. */
  chord(steps: StepSpec[], callback: StepSpec): Promise<string>;
}

/** The worker side: which queues this process consumes, and how many jobs at once. */
export interface QueueWorkerControl {
  configureQueue(queue: string, config: Partial<QueueConfig>): void;
  /** Recovers what a crash left behind, then consumes. */
  start(): Promise<void>;
  /** Stops taking jobs, signals running handlers, and waits for them to settle. */
  close(): Promise<void>;
}

/** Everything the pipeline, catalog, handlers and CLI use. */
export interface TaskQueue extends QueueProducer, QueueWorkerControl {
  readonly engine: 'sqlite' | 'bullmq';
  connection(): QueueConnection;
  workflowState(id: string): Promise<WorkflowState | null>;
  list(filter: JobFilter): Promise<{ total: number; items: JobRecord[] }>;
  /** Throws NOT_FOUND for an unknown id. */
  show(id: string): Promise<{ job: JobRecord; attempts: AttemptRecord[] }>;
  counts(): Promise<Record<string, Record<string, number>>>;
  metrics(since: number): Promise<QueueMetrics[]>;
  /** Throw NOT_FOUND or CONFLICT (naming the state) when the action does not apply. */
  retry(id: string): Promise<JobRecord>;
  /** Every quarantined job of one queue runs again. */
  retryAllFailed(queue: string): Promise<JobRecord[]>;
  cancel(id: string): Promise<JobRecord>;
  promote(id: string): Promise<JobRecord>;
  remove(id: string): Promise<void>;
  /** Pauses or resumes one queue; returns the queues paused now. */
  setPaused(queue: string, paused: boolean): Promise<string[]>;
  /**
   * Enqueues the steps and resolves, once every one completed, with their handlers' return
   * values in the steps' order: work spread over the lab whose results come back to the caller.
   * Steps with idempotency keys are found again by a second call (a caller redelivered after a
   * crash): completed ones give their stored result at once, quarantined ones run again. Rejects
   * when one ends quarantined (FatalError if it failed fatally, else TransientError) or
   * cancelled (JobCancelledError), after the others settled; at once when the signal aborts
   * (the jobs run on, and a later call finds them).
   */
  runAndAwait(steps: StepSpec[], options?: AwaitOptions): Promise<unknown[]>;
}

export interface AwaitOptions {
  signal?: AbortSignal;
}
