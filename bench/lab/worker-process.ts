// One lab worker process for `npm run bench -- lab`: the BullMQ engine consuming the io queue
// with a no-op handler, until the parent stops it. Prints "ready" once its worker runs.
import { z } from 'zod';
import { systemClock } from '../../electron/core/clock';
import { silentLogger } from '../../electron/core/logger';
import { createBullmqTaskQueue } from '../../electron/queue/bullmq/engine';

const [url, prefix, name] = [process.argv[2]!, process.argv[3]!, process.argv[4] ?? `bench-${process.pid}`];
const queue = await createBullmqTaskQueue({
  url,
  prefix,
  station: name,
  clock: systemClock,
  logger: silentLogger(),
  onChange: () => {},
  consumes: (q) => q === 'io',
});
queue.register('noop', { schema: z.object({ i: z.number() }), queue: 'io', handler: async () => undefined });
await queue.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void queue.close().then(() => process.exit(0)));
