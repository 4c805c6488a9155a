import type { z } from 'zod';
import type { RetryPolicy } from './backoff';
import type { JobRecord } from './sqlite-store';

/** What producers and the pipeline declare about job types and queues. */
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

/** Default concurrency by queue name: one capture per device, two compute jobs (two cores), eight I/O jobs. */
export function defaultQueueConfig(queue: string): QueueConfig {
  if (queue.startsWith('device:')) return { concurrency: 1 };
  if (queue === 'compute') return { concurrency: 2 };
  if (queue === 'io') return { concurrency: 8 };
  return { concurrency: 1 };
}
