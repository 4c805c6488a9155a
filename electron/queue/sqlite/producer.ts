import type { z } from 'zod';
import type { Clock } from '../../core/clock';
import { JobTypes } from '../job-types';
import type { EnqueueOptions, JobTypeOptions, StepSpec, WorkflowOutcome, WorkflowState } from '../queue';
import type { JobRecord, QueueStore } from './store';
import { Workflows } from './workflows';

/**
 * The producer half of the embedded queue: job types, enqueueing and workflows, each one SQLite
 * transaction. Side effects (job events, waking a worker) wait until that transaction
 * committed, and never happen if it rolled back. The worker half (job-queue.ts) extends it.
 */
export abstract class SqliteProducer {
  readonly types = new JobTypes();
  protected readonly workflows: Workflows;
  /** While a transaction is open, side effects (events, new leases) wait for its commit. */
  private afterCommit: (() => void)[] | null = null;

  constructor(
    protected readonly store: QueueStore,
    protected readonly clock: Clock,
    protected readonly onChange: (job: JobRecord) => void,
    onWorkflow: (event: WorkflowOutcome) => void,
  ) {
    this.workflows = new Workflows(
      store,
      clock,
      (type, payload, options, workflowId) => void this.enqueue(type, payload, options, workflowId),
      (outcome) => this.later(() => onWorkflow(outcome)),
    );
  }

  /** Leases what the queue may start now (the worker half). */
  abstract pump(queue: string): void;

  register<S extends z.ZodType>(type: string, options: JobTypeOptions<S>): void {
    this.types.register(type, options);
  }

  enqueue(
    type: string,
    payload: unknown,
    options: EnqueueOptions = {},
    workflowId: string | null = null,
  ): JobRecord {
    const resolved = this.types.resolve(type, payload);
    const now = this.clock.now();
    const { job, created } = this.store.insert(
      {
        ...resolved,
        priority: options.priority,
        availableAt: now + (options.delayMs ?? 0),
        idempotencyKey: options.idempotencyKey,
        workflowId,
        batchId: options.batchId,
      },
      now,
    );
    if (created)
      this.later(() => {
        this.onChange(job);
        this.pump(resolved.queue);
      });
    return job;
  }

  /**
   * Enqueues many jobs with one commit (a producer with a burst of work, like BullMQ's
   * addBulk). Every payload is checked first: one bad payload refuses them all, naming its
   * position, and nothing is stored.
   */
  enqueueMany(items: StepSpec[]): JobRecord[] {
    this.types.checkAll(items);
    return this.inTransaction(() => items.map((item) => this.enqueue(item.type, item.payload, item.options)));
  }

  /** Steps run one after another; a step starts only when the previous one completed. */
  chain(steps: StepSpec[]): string {
    return this.inTransaction(() => this.workflows.create('chain', steps, null));
  }

  /** Steps run in parallel; the workflow completes when all did. */
  group(steps: StepSpec[]): string {
    return this.inTransaction(() => this.workflows.create('group', steps, null));
  }

  /** A group, then the callback once every member succeeded; if one fails, the chord fails (visibly). */
  chord(steps: StepSpec[], callback: StepSpec): string {
    return this.inTransaction(() => this.workflows.create('chord', steps, callback));
  }

  workflowState(id: string): WorkflowState | null {
    return this.workflows.state(id);
  }

  /** True while a transaction is open (side effects must wait for its commit). */
  protected get inOpenTransaction(): boolean {
    return this.afterCommit !== null;
  }

  /** Runs `fn` now, or after the open transaction committed (and never if it rolled back). */
  protected later(fn: () => void): void {
    if (this.afterCommit) this.afterCommit.push(fn);
    else fn();
  }

  /** Runs `work` in one transaction; the side effects it asked for run only once it committed. */
  inTransaction<T>(work: () => T): T {
    if (this.afterCommit) return this.store.atomically(work);
    const effects: (() => void)[] = [];
    this.afterCommit = effects;
    let result: T;
    try {
      result = this.store.atomically(work);
    } finally {
      this.afterCommit = null;
    }
    effects.forEach((fn) => fn());
    return result;
  }
}
