import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';
import { redisServerBinary, startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { makeTempDir } from '../../helpers/temp-dir';

const binary = redisServerBinary();
if (binary.path === null) console.warn(`[lab cli] skipped: ${binary.reason}`);
const skip = binary.path === null;

/** Resolves with the first JSON line the process prints (a long-running command's "ready"). */
function firstJsonLine(child: ReturnType<typeof runCli>['child']): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('close', (code) => reject(new Error(`exited with ${code} before printing: ${buffer}`)));
  });
}

describe('quire worker and quire lab status', () => {
  let redis: RedisServer;
  const dir = makeTempDir('quire-lab-cli-');
  const storage = path.join(dir.path, 'lab-share');
  beforeAll(async () => {
    if (skip) return;
    redis = await startRedisServer();
    mkdirSync(storage);
  });
  afterAll(async () => {
    await redis?.stop();
    dir.cleanup();
  });

  it.skipIf(skip)('a worker joins the lab, consumes compute and io, and lab status shows it', async () => {
    const worker = runCli([
      'worker',
      '--station',
      'spare-pc',
      '--lab',
      redis.url,
      '--lab-storage',
      storage,
      '--data',
      path.join(dir.path, 'worker-data'),
    ]);
    const ready = await firstJsonLine(worker.child);
    expect(ready).toMatchObject({ worker: 'spare-pc', lab: { engine: 'bullmq', connected: true } });

    const status = await runCli(['lab', 'status', '--lab', redis.url]).done;
    expect(status.code).toBe(0);
    const stations = status.json!.stations as { station: string; queues: string[]; lastHeartbeat: string }[];
    expect(stations.map((s) => [s.station, s.queues])).toEqual([['spare-pc', ['compute', 'io']]]);
    expect(Number.isNaN(Date.parse(stations[0]!.lastHeartbeat))).toBe(false);

    worker.child.kill('SIGTERM');
    expect((await worker.done).code).toBe(0);
  });

  it.skipIf(skip)('a station that cannot see the lab storage root refuses lab work and says so', async () => {
    const elsewhere = path.join(dir.path, 'not-the-share');
    mkdirSync(elsewhere);
    const run = await runCli([
      'worker',
      '--station',
      'pc-2',
      '--lab',
      redis.url,
      '--lab-storage',
      elsewhere,
      '--data',
      path.join(dir.path, 'pc2-data'),
    ]).done;
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ error: { code: 'LAB_REFUSED' } });
    expect(String((run.json!.error as { message: string }).message)).toMatch(/not the lab's shared folder/);
  });

  it.skipIf(skip)('lab status of an unreachable Redis fails with one JSON line', async () => {
    const run = await runCli(['lab', 'status', '--lab', 'redis://127.0.0.1:1']).done;
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ connected: false, error: { code: 'LAB_UNREACHABLE' } });
  });
});
