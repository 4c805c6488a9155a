import type { JobOutcome } from '../run-and-await';
import type { JobRecord } from '../queue';
import type { QueueReads } from './reads';

const FINAL = new Set(['completed', 'quarantined', 'cancelled']);

/**
 * Waits for jobs of this station's own queue to end. Every job change passes through `notify`
 * (after its transaction committed), so a waiter hears of the end at once; one registered
 * after the end finds it by reading the job.
 */
export class JobOutcomes {
  private readonly waiters = new Map<string, Set<(job: JobRecord) => void>>();

  constructor(private readonly reads: QueueReads) {}

  notify(job: JobRecord): void {
    if (!FINAL.has(job.state)) return;
    this.waiters.get(job.id)?.forEach((w) => w(job));
  }

  outcome(job: JobRecord, signal?: AbortSignal): Promise<JobOutcome> {
    return new Promise<JobOutcome>((resolve, reject) => {
      const set = this.waiters.get(job.id) ?? new Set();
      this.waiters.set(job.id, set);
      const done = (ended: JobRecord) => {
        cleanup();
        resolve(this.describe(ended));
      };
      const onAbort = () => {
        cleanup();
        reject(signal!.reason as Error);
      };
      const cleanup = () => {
        set.delete(done);
        if (set.size === 0) this.waiters.delete(job.id);
        signal?.removeEventListener('abort', onAbort);
      };
      set.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
      const current = this.reads.get(job.id);
      if (!current) {
        cleanup();
        reject(new Error(`job ${job.id} is not in the queue (removed?)`));
      } else if (FINAL.has(current.state)) done(current);
    });
  }

  private describe(job: JobRecord): JobOutcome {
    const state = job.state as JobOutcome['state'];
    return {
      state,
      result: state === 'completed' ? this.reads.resultOf(job.id) : undefined,
      error: job.lastError,
    };
  }
}
