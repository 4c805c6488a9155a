import { randomUUID } from 'node:crypto';
import { Job, type FlowJob, type JobsOptions } from 'bullmq';
import { FatalError } from '../errors';
import type { JobTypes } from '../job-types';
import type { EnqueueOptions, JobRecord, StepSpec, WorkflowKind } from '../queue';
import { newJobId, toBullName, toJobRecord, type JobData } from './job-record';
import type { LabQueues } from './queues';

/** The internal root of a group: a no-op job that completes once every member did. */
export const GROUP_DONE = 'workflow.done';

/** BullMQ runs priority 1 first and 0 means none; Quire runs the highest number first. */
const PRIORITY_LIMIT = 2_097_152;
const bullPriority = (priority = 0) => (priority > 0 ? Math.max(1, PRIORITY_LIMIT - priority) : undefined);

/**
 * The producer on BullMQ: single jobs with Queue.add; bursts and workflows each in one MULTI
 * (all or nothing): a burst through the backend's flow insert, a workflow with FlowProducer.
 */
/**
 * How long Redis keeps a completed job (its record, result and history): a lab's Redis runs with
 * `noeviction`, so what is never removed fills its memory until it refuses new jobs. Quarantined
 * jobs stay until someone decides on them. BullMQ trims as later jobs complete.
 */
export interface CompletedRetention {
  ageSeconds: number;
  /** At most this many per queue, newest kept. */
  count: number;
}
export const DEFAULT_COMPLETED_RETENTION: CompletedRetention = { ageSeconds: 14 * 24 * 3600, count: 100_000 };

export class BullmqProducer {
  constructor(
    private readonly types: JobTypes,
    private readonly queues: LabQueues,
    private readonly added: (queue: string) => void,
    private readonly retention: CompletedRetention = DEFAULT_COMPLETED_RETENTION,
  ) {}

  private node(
    step: StepSpec,
    workflowId: string | null,
    extra: Partial<JobsOptions> = {},
    data: object = {},
  ) {
    const resolved = this.types.resolve(step.type, step.payload);
    const options: EnqueueOptions = step.options ?? {};
    const jobData: JobData = {
      payload: resolved.payload,
      batchId: options.batchId ?? null,
      workflowId,
      idempotencyKey: options.idempotencyKey ?? null,
      ...data,
    };
    const opts: JobsOptions = {
      jobId: extra.jobId ?? newJobId(resolved.queue, options.idempotencyKey),
      attempts: resolved.maxAttempts,
      backoff: { type: 'quire' },
      delay: options.delayMs,
      priority: bullPriority(options.priority),
      removeOnComplete: { age: this.retention.ageSeconds, count: this.retention.count },
      ...extra,
    };
    return {
      name: step.type,
      queueName: toBullName(resolved.queue),
      queue: resolved.queue,
      data: jobData,
      opts,
    };
  }

  async enqueue(type: string, payload: unknown, options: EnqueueOptions = {}): Promise<JobRecord> {
    const node = this.node({ type, payload, options }, null);
    await this.queues.announce([node.queue]);
    const q = this.queues.get(node.queue);
    const job = (await q.add(type, node.data, node.opts)) as Job;
    this.added(node.queue);
    if (!options.idempotencyKey) return toJobRecord(job, options.delayMs ? 'delayed' : 'waiting');
    // An idempotency key already used: BullMQ kept the first job; report that one. Both reads
    // leave together (one round trip).
    const [kept, state] = await Promise.all([Job.fromId(q, job.id!), q.getJobState(job.id!)]);
    return toJobRecord(kept ?? job, state);
  }

  /**
   * A burst of jobs, on one queue or several, in one MULTI: all or nothing, one round trip. Each
   * job is added by BullMQ's own add script (the same as Queue.add), through the backend's flow
   * insert that FlowProducer uses, without FlowProducer's per-job tree bookkeeping, which a
   * burst of plain jobs does not need and which cost more than the insert itself.
   */
  async enqueueMany(items: StepSpec[]): Promise<JobRecord[]> {
    this.types.checkAll(items);
    if (items.length === 0) return [];
    const nodes = items.map((item) => this.node(item, null));
    const names = [...new Set(nodes.map((n) => n.queue))];
    await this.queues.announce(names);
    const jobs = nodes.map((n) => new Job(this.queues.get(n.queue), n.name, n.data, n.opts, n.opts.jobId));
    const results = await this.queues.get(names[0]!).backend.addFlow(jobs.map((j) => j.toFlowEntry()));
    results.forEach(([error, id], index) => {
      if (error || typeof id !== 'string')
        throw new Error(
          `job ${index} (${nodes[index]!.name}) was not added: ${error?.message ?? `code ${id}`}`,
        );
    });
    names.forEach((q) => this.added(q));
    return jobs.map((job) => toJobRecord(job, job.opts.delay ? 'delayed' : 'waiting'));
  }

  /**
   * A workflow as one BullMQ flow. A chain is nested (each step is the parent of the one before
   * it, since BullMQ runs children first); a group has a no-op root; a chord's root is its
   * callback. Every member fails its parent when it fails for good, so a failed member ends the
   * whole workflow with that failure instead of leaving it waiting. The root's id is the
   * workflow's id; with an idempotency key on the first step, it is derived from that key and a
   * second call finds the workflow already there.
   */
  async workflow(kind: WorkflowKind, steps: StepSpec[], callback: StepSpec | null): Promise<string> {
    if (steps.length === 0) throw new FatalError(`a ${kind} needs at least one step`);
    this.types.checkAll(callback ? [...steps, callback] : steps);
    const rootStep: StepSpec =
      kind === 'chain' ? steps.at(-1)! : kind === 'chord' ? callback! : { type: GROUP_DONE, payload: {} };
    const rootQueue = this.types.resolve(rootStep.type, rootStep.payload).queue;
    const key = steps[0]!.options?.idempotencyKey;
    const workflowId = newJobId(rootQueue, key ? `workflow:${key}` : `workflow:${randomUUID()}`);
    if (key && (await Job.fromId(this.queues.get(rootQueue), workflowId))) return workflowId;
    const member = { failParentOnFailure: true };
    const meta = { workflow: { kind, total: steps.length } };
    const leaf = (step: StepSpec): FlowJob => strip(this.node(step, workflowId, member));
    let root: FlowJob;
    if (kind === 'chain') {
      let below: FlowJob | null = null;
      steps.slice(0, -1).forEach((step) => {
        const node: FlowJob = leaf(step);
        if (below) node.children = [below];
        below = node;
      });
      root = strip(this.node(rootStep, workflowId, { jobId: workflowId }, meta));
      if (below) root.children = [below];
    } else {
      root = strip(this.node(rootStep, workflowId, { jobId: workflowId }, meta));
      root.children = steps.map(leaf);
    }
    const queues = new Set<string>();
    collectQueues(root, queues);
    await this.queues.announce([...queues]);
    await this.queues.flows.add(root);
    queues.forEach((q) => this.added(q));
    return workflowId;
  }
}

const strip = ({ queue: _queue, ...flow }: { queue: string } & FlowJob): FlowJob => flow;

function collectQueues(node: FlowJob, into: Set<string>): void {
  into.add(decodeURIComponent(node.queueName));
  node.children?.forEach((child) => collectQueues(child, into));
}
