import type { z } from 'zod';
import type { Clock, TimerHandle } from '../core/clock';
import { TransientError } from './errors';
import type { JobRecord, JobTypeOptions } from './queue';

/**
 * Runs one job's handler under its limits: the lease is renewed by heartbeat while it runs
 * (every heartbeatMs; 0 when the engine renews it itself);
 * at the soft time limit its AbortSignal fires so it can clean up; at the hard limit the
 * attempt fails as transient and whatever the handler returns later is ignored.
 */
export async function runHandler(
  spec: JobTypeOptions<z.ZodType>,
  job: JobRecord,
  controller: AbortController,
  clock: Clock,
  renewLease: () => boolean,
  heartbeatMs: number,
): Promise<unknown> {
  const timers: TimerHandle[] = [];
  const heartbeat = () => {
    timers.push(clock.setTimeout(() => renewLease() && heartbeat(), heartbeatMs));
  };
  if (heartbeatMs > 0) heartbeat();
  try {
    const payload = spec.schema.parse(job.payload);
    if (spec.softTimeoutMs)
      timers.push(
        clock.setTimeout(() => controller.abort(new TransientError('soft time limit')), spec.softTimeoutMs),
      );
    // Node builds a controller's AbortSignal when it is first read, and that is most of its
    // cost: a handler that never looks at it (a short metadata job) does not pay for it.
    const work = spec.handler(payload, {
      job,
      get signal() {
        return controller.signal;
      },
    });
    const hardMs = spec.hardTimeoutMs;
    if (!hardMs) return await work;
    return await Promise.race([
      work,
      new Promise<never>((_, reject) =>
        timers.push(
          clock.setTimeout(
            () => reject(new TransientError(`hard time limit of ${hardMs} ms exceeded`)),
            hardMs,
          ),
        ),
      ),
    ]);
  } finally {
    timers.forEach((t) => clock.clearTimeout(t));
  }
}
