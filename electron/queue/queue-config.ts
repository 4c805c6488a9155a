import type { QueueConfig } from './queue';

export type { EnqueueOptions, HandlerContext, JobTypeOptions, QueueConfig } from './queue';

/** Default concurrency by queue name: one capture per device, two compute jobs (two cores), eight I/O jobs. */
export function defaultQueueConfig(queue: string): QueueConfig {
  if (queue.startsWith('device:')) return { concurrency: 1 };
  if (queue === 'compute') return { concurrency: 2 };
  if (queue === 'io') return { concurrency: 8 };
  return { concurrency: 1 };
}
