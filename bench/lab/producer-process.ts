// The producer of `npm run bench -- lab`, a station process of its own: the BullMQ engine
// enqueueing JOBS no-op jobs on the io queue in bursts of 64 (enqueueMany, one MULTI each).
// Prints "ready" once connected, sends when it reads "go" on stdin, then prints one JSON line
// ({ sentSeconds }) and exits.
import { once } from 'node:events';
import { z } from 'zod';
import { systemClock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/logger';
import { createBullmqTaskQueue } from '../../electron/queue/bullmq/engine';

const BURST = 64;

const [url, prefix, count] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4])];
const queue = await createBullmqTaskQueue({
  url,
  prefix,
  station: 'bench-producer',
  clock: systemClock,
  logger: silentLogger(),
  onChange: () => {},
  consumes: () => false,
});
queue.register('noop', { schema: z.object({ i: z.number() }), queue: 'io', handler: async () => undefined });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.destroy(); // read no more, or the open pipe would keep the process alive
const start = process.hrtime.bigint();
for (let i = 0; i < count; i += BURST)
  await queue.enqueueMany(
    Array.from({ length: Math.min(BURST, count - i) }, (_, k) => ({ type: 'noop', payload: { i: i + k } })),
  );
process.stdout.write(`${JSON.stringify({ sentSeconds: Number(process.hrtime.bigint() - start) / 1e9 })}\n`);
await queue.close();
