import type { z } from 'zod';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff';
import { FatalError } from './errors';
import type { JobTypeOptions, StepSpec } from './queue';

export type AnyJobType = JobTypeOptions<z.ZodType>;

/** A job as the producer resolved it: checked payload, its queue, and how many attempts it gets. */
export interface ResolvedJob {
  type: string;
  queue: string;
  payload: unknown;
  maxAttempts: number;
}

/**
 * The registered job types, shared by both engines: the payload check on enqueue, routing to a
 * queue, and the retry policy. One registry, so a type registered by the pipeline behaves the
 * same on SQLite and on BullMQ.
 */
export class JobTypes {
  private readonly types = new Map<string, AnyJobType>();

  register<S extends z.ZodType>(type: string, options: JobTypeOptions<S>): void {
    this.types.set(type, options as unknown as AnyJobType);
  }

  get(type: string): AnyJobType | undefined {
    return this.types.get(type);
  }

  /** Fixed queue names of the registered types (routed ones are known only per payload). */
  fixedQueues(): string[] {
    return [
      ...new Set([...this.types.values()].flatMap((t) => (typeof t.queue === 'string' ? [t.queue] : []))),
    ];
  }

  retryPolicy(type: string): RetryPolicy {
    return { ...DEFAULT_RETRY, ...this.types.get(type)?.retry };
  }

  /** Parses the payload (throws the schema's error) and routes the job to its queue. */
  resolve(type: string, payload: unknown): ResolvedJob {
    const spec = this.types.get(type);
    if (!spec) throw new FatalError(`no handler is registered for job type ${type}`);
    const parsed = spec.schema.parse(payload);
    return {
      type,
      queue: typeof spec.queue === 'function' ? spec.queue(parsed) : spec.queue,
      payload: parsed,
      maxAttempts: 1 + (spec.retry?.retries ?? DEFAULT_RETRY.retries),
    };
  }

  /** Checks every item first: one bad payload refuses them all, naming its position. */
  checkAll(items: StepSpec[]): void {
    items.forEach((item, index) => {
      const spec = this.types.get(item.type);
      if (!spec) throw new FatalError(`job ${index}: no handler is registered for job type ${item.type}`);
      const checked = spec.schema.safeParse(item.payload);
      if (!checked.success)
        throw new FatalError(
          `job ${index} (${item.type}): ${checked.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`,
        );
    });
  }
}
