// The reference of `npm run bench -- lab`: BullMQ on its own, without Quire's engine, on the same
// work. `producer URL PREFIX JOBS` adds the jobs Quire's producer adds (the same data and
// options: an id that carries its queue, 4 attempts with backoff, completed jobs kept) with
// BullMQ's Queue.addBulk, 64 at a time (a plain pipeline: not all-or-nothing, as Quire's bursts
// are); `worker URL PREFIX NAME` runs them with a no-op processor, the io queue's concurrency and
// the lab's lock settings. The same protocol as producer-process.ts and worker-process.ts.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DEFAULT_COMPLETED_RETENTION } from '../../electron/queue/bullmq/producer';
import { LAB_LOCKS } from '../../electron/queue/bullmq/worker';
import { DEFAULT_RETRY } from '../../electron/queue/backoff';
import { defaultQueueConfig } from '../../electron/queue/queue-config';

const [mode, url, prefix] = [process.argv[2], process.argv[3]!, process.argv[4]!];
const connection = new Redis(url, { maxRetriesPerRequest: null });

if (mode === 'worker') {
  const worker = new Worker('io', async () => undefined, {
    connection,
    prefix,
    name: process.argv[5],
    concurrency: defaultQueueConfig('io').concurrency,
    ...LAB_LOCKS,
  });
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
} else if (mode === 'producer') {
  const count = Number(process.argv[5]);
  const queue = new Queue('io', { connection, prefix });
  await queue.waitUntilReady();
  const opts = () => ({
    jobId: `io~${randomUUID()}`,
    attempts: 1 + DEFAULT_RETRY.retries,
    backoff: { type: 'exponential', delay: DEFAULT_RETRY.baseMs },
    removeOnComplete: {
      age: DEFAULT_COMPLETED_RETENTION.ageSeconds,
      count: DEFAULT_COMPLETED_RETENTION.count,
    },
  });
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  process.stdin.destroy(); // read no more, or the open pipe would keep the process alive
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 64)
    await queue.addBulk(
      Array.from({ length: Math.min(64, count - i) }, (_, k) => ({
        name: 'noop',
        data: { payload: { i: i + k }, batchId: null, workflowId: null, idempotencyKey: null },
        opts: opts(),
      })),
    );
  process.stdout.write(`${JSON.stringify({ sentSeconds: Number(process.hrtime.bigint() - start) / 1e9 })}\n`);
  await queue.close();
  await connection.quit();
} else {
  throw new Error(`bullmq-alone: mode must be worker or producer, not ${mode}`);
}
