import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { systemClock } from '../../../../electron/core/clock';
import { silentLogger } from '../../../../electron/core/logger';
import { createBullmqTaskQueue } from '../../../../electron/queue/bullmq/engine';
import type { JobRecord, TaskQueue } from '../../../../electron/queue/queue';
import { redisServerBinary, startRedisServer, type RedisServer } from '../../../helpers/redis-server';

const binary = redisServerBinary();
if (binary.path === null) console.warn(`[lab stall] skipped: ${binary.reason}`);
const FIXTURE = path.resolve('test/integration/queue/fixtures/lab-worker.ts');

describe('a lab station dies holding a job', () => {
  let redis: RedisServer | null = null;
  let queue: TaskQueue | null = null;
  afterEach(async () => {
    await queue?.close();
    await redis?.stop();
  });

  it.skipIf(binary.path === null)(
    'another station runs it once its lock runs out, and the lost attempt is in its history',
    async () => {
      redis = await startRedisServer();
      const prefix = 'stall';
      const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, redis.url, prefix], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const lines: string[] = [];
      const waiters: (() => void)[] = [];
      child.stdout!.on('data', (chunk: Buffer) => {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        waiters.forEach((w) => w());
      });
      const line = (start: string) =>
        new Promise<string>((resolve) => {
          const check = () => {
            const found = lines.find((l) => l.startsWith(start));
            if (found) resolve(found);
          };
          waiters.push(check);
          check();
        });
      await line('ready');

      const changes: ((job: JobRecord) => void)[] = [];
      const ran: number[] = [];
      queue = await createBullmqTaskQueue({
        url: redis.url,
        prefix,
        station: 'survivor',
        clock: systemClock,
        logger: silentLogger(),
        onChange: (job) => changes.forEach((c) => c(job)),
        locks: { lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 2 },
      });
      queue.register('derive', {
        schema: z.object({ page: z.number() }),
        queue: 'compute',
        handler: async ({ page }) => void ran.push(page),
      });
      const job = await queue.enqueue('derive', { page: 7 });
      expect(await line('holding')).toBe(`holding ${job.id}`);

      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const done = new Promise<JobRecord>((resolve) =>
        changes.push((j) => j.id === job.id && j.state === 'completed' && resolve(j)),
      );
      await queue.start();
      expect((await done).worker).toBe('survivor');
      expect(ran).toEqual([7]);
      const { attempts } = await queue.show(job.id);
      expect(attempts.map((a) => a.outcome)).toEqual(['lost', 'completed']);
    },
  );
});
