import { Redis } from 'ioredis';

/** Lab Redis connection state, for the console's "lab disconnected" banner and `quire lab status`. */
export interface LabLink {
  connected: boolean;
  detail: string;
}

/**
 * One ioredis connection to the lab's Redis. It never gives up: a lost connection is retried
 * with exponential backoff and jitter, capped at 30 s, and commands wait meanwhile
 * (`maxRetriesPerRequest: null`, as BullMQ's workers require) instead of failing a job.
 */
export function connectLab(url: string, onChange: (link: LabLink) => void): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // No auto-pipelining: it holds every command until the end of the event loop's turn, so a
    // worker's completed job reached Redis only after its other jobs had run, and Redis and the
    // worker took turns instead of working at once (BullMQ's own no-op worker drained less than
    // half as many jobs a second with it, on the 2-core bench machine). BullMQ's maintainers
    // advise against it too (taskforcesh/bullmq#457, #1127); concurrent commands still share
    // the connection without waiting on each other.
    lazyConnect: true,
    retryStrategy: (times) =>
      Math.round(Math.min(30_000, 100 * 2 ** Math.min(times, 10)) * (0.5 + Math.random() / 2)),
  });
  const where = url.replace(/\/\/[^@]*@/, '//'); // never log a password
  redis.on('ready', () => onChange({ connected: true, detail: `lab Redis ${where}` }));
  redis.on('reconnecting', () =>
    onChange({ connected: false, detail: `lab disconnected: reconnecting to ${where}` }),
  );
  redis.on('end', () => onChange({ connected: false, detail: `lab disconnected from ${where}` }));
  // ioredis reports each failed reconnect as an error event; without a listener it would throw.
  redis.on('error', (error: Error) =>
    onChange({ connected: false, detail: `lab disconnected: ${error.message}` }),
  );
  return redis;
}

/** Thrown when the lab's Redis is configured in a way that could lose jobs. */
export class LabRedisRefused extends Error {
  override readonly name = 'LabRedisRefused';
}

function infoField(info: string, field: string): string | null {
  const line = info.split(/\r?\n/).find((l) => l.startsWith(`${field}:`));
  return line ? line.slice(field.length + 1).trim() : null;
}

/**
 * A queue must not lose jobs: Redis has to refuse writes when full instead of evicting keys
 * (`maxmemory-policy noeviction`), and keep them across a restart (AOF or RDB snapshots).
 * Read through INFO, which managed Redis services allow where CONFIG GET is disabled.
 */
export async function checkLabRedis(redis: Redis): Promise<{ policy: string; persistence: string }> {
  const memory = await redis.info('memory');
  const policy = infoField(memory, 'maxmemory_policy') ?? 'unknown';
  if (policy !== 'noeviction')
    throw new LabRedisRefused(
      `the lab's Redis has maxmemory-policy ${policy}: it may evict queued jobs when memory is full. Set maxmemory-policy noeviction (redis.conf or CONFIG SET) and start again`,
    );
  const persistence = await redis.info('persistence');
  const aof = infoField(persistence, 'aof_enabled') === '1';
  let rdb = false;
  try {
    const save = (await redis.config('GET', 'save')) as string[];
    rdb = Boolean(save[1]?.trim());
  } catch {
    // CONFIG is disabled (a managed service): such services persist by their own means.
    rdb = true;
  }
  if (!aof && !rdb)
    throw new LabRedisRefused(
      "the lab's Redis keeps nothing on disk (no AOF, no snapshots): a Redis restart would lose every queued job. Set appendonly yes and start again",
    );
  return { policy, persistence: aof ? 'aof' : 'rdb' };
}
