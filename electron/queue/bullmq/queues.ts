import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { toBullName } from './job-record';

/**
 * The BullMQ Queue objects of one process, one per named queue, on one shared connection, and
 * the lab-wide set of queue names (so that a read or a worker finds queues another station
 * created). Only this engine knows the Redis key layout: `<prefix>:…` as BullMQ lays it out.
 */
export class LabQueues {
  private readonly queues = new Map<string, Queue>();
  private readonly announced = new Set<string>();
  readonly flows: FlowProducer;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {
    this.flows = new FlowProducer({ connection: redis, prefix });
  }

  private get namesKey(): string {
    return `${this.prefix}:quire:queues`;
  }

  get(queue: string): Queue {
    let q = this.queues.get(queue);
    if (!q) {
      q = new Queue(toBullName(queue), { connection: this.redis, prefix: this.prefix });
      this.queues.set(queue, q);
    }
    return q;
  }

  /** Records a queue name lab-wide, once per process (one SADD the first time a queue is used). */
  async announce(queues: string[]): Promise<void> {
    const fresh = queues.filter((q) => !this.announced.has(q));
    if (!fresh.length) return;
    await this.redis.sadd(this.namesKey, ...fresh);
    fresh.forEach((q) => this.announced.add(q));
  }

  /** Every queue any station of the lab has used. */
  async names(): Promise<string[]> {
    const names = await this.redis.smembers(this.namesKey);
    names.forEach((n) => this.announced.add(n));
    return names.sort();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await this.flows.close();
  }
}
