import { Job, type JobType } from 'bullmq';
import type { JobFilter, JobRecord, JobState, QueueBackend, QueueMetrics, WorkflowState } from '../queue';
import { attemptsOf, queueOfJobId, stateOf, toJobRecord, type JobData } from './job-record';
import type { LabQueues } from './queues';

/** BullMQ's lists, read one at a time so that each job's state is known without another read. */
const BULL_LISTS: JobType[] = [
  'active',
  'wait',
  'prioritized',
  'waiting-children',
  'delayed',
  'failed',
  'completed',
];

/** Which BullMQ lists can hold jobs in one of our states. */
function listsFor(state: JobState | undefined): JobType[] {
  switch (state) {
    case undefined:
      return BULL_LISTS;
    case 'waiting':
      return ['wait', 'prioritized', 'waiting-children'];
    case 'delayed':
    case 'retrying':
      return ['delayed'];
    case 'active':
      return ['active'];
    case 'completed':
      return ['completed'];
    case 'quarantined':
      return ['failed'];
    case 'cancelled':
      return ['failed', 'wait', 'prioritized', 'delayed'];
  }
}

/** At most this many jobs per list are read for the console's list (newest first). */
const LIST_WINDOW = 5_000;

/**
 * The backend contract on BullMQ: each operation is one of BullMQ's Lua scripts (add, retry,
 * promote, remove, pause) or a read. A job's id names its queue, so one read finds it.
 */
export function bullmqBackend(queues: LabQueues): QueueBackend {
  const load = async (
    id: string,
  ): Promise<{ job: Job; bull: Awaited<ReturnType<Job['getState']>> } | null> => {
    const queue = queueOfJobId(id);
    if (!queue) return null;
    const job = await Job.fromId(queues.get(queue), id);
    if (!job) return null;
    return { job, bull: await job.getState() };
  };
  const get = async (id: string): Promise<JobRecord | null> => {
    const found = await load(id);
    return found ? toJobRecord(found.job, found.bull) : null;
  };
  const scan = async (queue: string, lists: JobType[]): Promise<JobRecord[]> => {
    const q = queues.get(queue);
    const out: JobRecord[] = [];
    for (const list of lists) {
      const jobs = (await q.getJobs([list], 0, LIST_WINDOW - 1, false)) as Job[];
      for (const job of jobs)
        if (job?.id) out.push(toJobRecord(job, list === 'wait' ? 'waiting' : (list as never)));
    }
    return out;
  };
  /** The job as the action left it: read back, a fast worker could already have taken it. */
  const after = (job: Job, state: JobState): JobRecord => ({ ...toJobRecord(job, 'waiting'), state });
  const retryOne = async (id: string): Promise<JobRecord | null> => {
    const found = await load(id);
    if (!found) return null;
    const { job, bull } = found;
    const data = job.data as JobData;
    const clear = async () => {
      if (data.cancelledAt) await job.updateData({ ...data, cancelledAt: undefined });
    };
    if (bull === 'failed') {
      await clear();
      await job.retry('failed');
    } else if (bull === 'delayed') {
      await clear();
      await job.promote();
    } else if (data.cancelledAt && bull !== 'active' && bull !== 'completed') {
      await clear();
    } else return null;
    return after(job, 'waiting');
  };

  return {
    get,
    async attempts(id) {
      const found = await load(id);
      if (!found) return [];
      const queue = queueOfJobId(id)!;
      const { logs } = await queues.get(queue).getJobLogs(id, 0, -1, true);
      return attemptsOf(found.job, found.bull, logs);
    },
    async list(filter: JobFilter) {
      const names = filter.queue ? [filter.queue] : await queues.names();
      const all: JobRecord[] = [];
      for (const name of names) all.push(...(await scan(name, listsFor(filter.state))));
      const text = filter.text?.toLowerCase();
      const matching = all
        .filter((j) => !filter.state || j.state === filter.state)
        .filter((j) => !filter.type || j.type === filter.type)
        .filter((j) => !filter.batchId || j.batchId === filter.batchId)
        .filter(
          (j) =>
            !text ||
            j.id.toLowerCase().includes(text) ||
            JSON.stringify(j.payload).toLowerCase().includes(text),
        )
        .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
      const offset = filter.offset ?? 0;
      return { total: matching.length, items: matching.slice(offset, offset + (filter.limit ?? 100)) };
    },
    async counts() {
      const out: Record<string, Record<string, number>> = {};
      for (const name of await queues.names()) {
        const c = await queues.get(name).getJobCounts(...BULL_LISTS);
        const row: Record<string, number> = {};
        const add = (state: string, n = 0) => {
          if (n > 0) row[state] = (row[state] ?? 0) + n;
        };
        add('waiting', (c.wait ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0));
        add('delayed', c.delayed);
        add('active', c.active);
        add('completed', c.completed);
        add('quarantined', c.failed);
        if (Object.keys(row).length) out[name] = row;
      }
      return out;
    },
    async metrics(since) {
      const out: QueueMetrics[] = [];
      for (const name of await queues.names()) {
        const done = (await queues.get(name).getJobs(['completed'], 0, LIST_WINDOW - 1, false)) as Job[];
        const recent = done.filter((j) => (j.finishedOn ?? 0) >= since);
        if (!recent.length) continue;
        const total = recent.reduce((sum, j) => sum + ((j.finishedOn ?? 0) - j.timestamp), 0);
        out.push({ queue: name, completed: recent.length, meanLatencyMs: Math.round(total / recent.length) });
      }
      return out;
    },
    async workflowState(id): Promise<WorkflowState | null> {
      const found = await load(id);
      if (!found) return null;
      const meta = (found.job.data as JobData & { workflow?: { kind: string; total: number } }).workflow;
      if (!meta) return null;
      const state = found.bull === 'completed' ? 'completed' : found.bull === 'failed' ? 'failed' : 'running';
      const deps = await found.job.getDependenciesCount({ processed: true });
      const done = state === 'completed' ? meta.total : (deps.processed ?? 0);
      return {
        kind: meta.kind,
        state,
        position: done,
        done,
        total: meta.total,
        failure: state === 'failed' ? found.job.failedReason || 'a member failed' : null,
      };
    },
    retry: retryOne,
    async retryAllQuarantined(queue) {
      const failed = await scan(queue, ['failed']);
      const out: JobRecord[] = [];
      for (const job of failed.filter((j) => j.state === 'quarantined')) {
        const retried = await retryOne(job.id);
        if (retried) out.push(retried);
      }
      return out;
    },
    async cancel(id) {
      const found = await load(id);
      if (!found) return null;
      const { job, bull } = found;
      const data = job.data as JobData;
      const state = stateOf(job, bull);
      if (state !== 'waiting' && state !== 'delayed' && state !== 'retrying') return null;
      // BullMQ has no cancelled state for a waiting job: it is marked, shows as cancelled, and the
      // worker that takes it ends it cancelled without running its handler.
      await job.updateData({ ...data, cancelledAt: Date.now() });
      return after(job, 'cancelled');
    },
    async promote(id) {
      const found = await load(id);
      if (!found || found.bull !== 'delayed') return null;
      await found.job.promote();
      return after(found.job, 'waiting');
    },
    async remove(id) {
      const found = await load(id);
      if (!found) return 'missing';
      if (found.bull === 'active') return 'active';
      await found.job.remove();
      return 'removed';
    },
    async setPaused(queue, paused) {
      await queues.announce([queue]);
      if (paused) await queues.get(queue).pause();
      else await queues.get(queue).resume();
    },
    async pausedQueues() {
      const names = await queues.names();
      const paused = await Promise.all(names.map((n) => queues.get(n).isPaused()));
      return names.filter((_, i) => paused[i]);
    },
  };
}
