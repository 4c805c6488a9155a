import type { QueueConfig } from './queue';

export type { EnqueueOptions, HandlerContext, JobTypeOptions, QueueConfig } from './queue';

/** Default concurrency by queue name: one capture per device, two compute jobs (two cores), eight I/O jobs. */
export function defaultQueueConfig(queue: string): QueueConfig {
  if (queue.startsWith('device:')) return { concurrency: 1 };
  if (queue === 'compute') return { concurrency: 2 };
  if (queue === 'io') return { concurrency: 8 };
  // A lab station's own stages mostly wait for page jobs spread over the lab; packaging is I/O.
  if (queue.startsWith('station:')) return { concurrency: 4 };
  return { concurrency: 1 };
}
