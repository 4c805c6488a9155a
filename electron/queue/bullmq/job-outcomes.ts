import { Job, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobRecord, QueueBackend } from '../queue';
import { abortable, type JobOutcome } from '../run-and-await';
import { toBullName } from './job-record';
import type { LabQueues } from './queues';

/**
 * Waits for lab jobs to end, wherever they run: BullMQ's QueueEvents reads each queue's event
 * stream (one blocking connection per awaited queue, opened the first time it is awaited), and
 * Job.waitUntilFinished checks the job once the stream is read, so an end before the wait is
 * not missed. The return value is the one BullMQ stored with the completed job.
 */
export class LabJobOutcomes {
  private readonly events = new Map<string, { events: QueueEvents; connection: Redis }>();
  private closed = false;

  constructor(
    private readonly queues: LabQueues,
    private readonly backend: Pick<QueueBackend, 'get'>,
  ) {}

  private eventsOf(queue: string): QueueEvents {
    let entry = this.events.get(queue);
    if (!entry) {
      // QueueEvents blocks on its connection (XREAD BLOCK): it needs one of its own.
      const connection = this.queues.redis.duplicate();
      const events = new QueueEvents(toBullName(queue), { connection, prefix: this.queues.prefix });
      // Connection trouble is the lab connection's to report; the stream is read again after it.
      events.on('error', () => undefined);
      entry = { events, connection };
      this.events.set(queue, entry);
    }
    return entry.events;
  }

  async outcome(job: JobRecord, signal?: AbortSignal): Promise<JobOutcome> {
    if (this.closed) throw new Error('the lab queue is closed');
    const found = await Job.fromId(this.queues.get(job.queue), job.id);
    if (!found) throw new Error(`job ${job.id} is not in the lab's queue (removed?)`);
    const wait = found.waitUntilFinished(this.eventsOf(job.queue));
    try {
      const result: unknown = await (signal ? abortable(wait, signal) : wait);
      return { state: 'completed', result, error: null };
    } catch (error) {
      if (signal?.aborted || this.closed) throw error;
      // Failed for good: read it back to tell a cancellation (a marked failure) from a quarantine.
      const ended = await this.backend.get(job.id);
      if (ended?.state === 'completed') {
        const done = await Job.fromId(this.queues.get(job.queue), job.id);
        return { state: 'completed', result: done?.returnvalue, error: null };
      }
      return {
        state: ended?.state === 'cancelled' ? 'cancelled' : 'quarantined',
        result: undefined,
        error: ended?.lastError ?? (error as Error).message,
      };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.events.values()];
    this.events.clear();
    await Promise.allSettled(all.map((e) => e.events.close()));
    all.forEach((e) => e.connection.disconnect());
  }
}
