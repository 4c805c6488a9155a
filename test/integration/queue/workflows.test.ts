import { afterEach, describe, expect, it } from 'vitest';
import { FatalError } from '../../../electron/queue/errors';
import { JobQueue } from '../../../electron/queue/sqlite/job-queue';
import { silentLogger } from '../../../electron/core/logger';
import { Payload, queueHarness } from '../../helpers/queue-harness';

describe('workflows: chain, group, chord', () => {
  let h: ReturnType<typeof queueHarness>;
  afterEach(async () => h?.close());

  const workflowDone = (id: string) => h.whenWorkflow(id);

  it('a chain runs its steps in order, each after the previous completed', async () => {
    h = queueHarness();
    const order: number[] = [];
    h.queue.register('step', {
      schema: Payload,
      queue: 'compute',
      handler: async ({ n }) => void order.push(n),
    });
    h.queue.start();
    const id = h.queue.chain([1, 2, 3].map((n) => ({ type: 'step', payload: { n } })));
    await workflowDone(id);
    expect(order).toEqual([1, 2, 3]);
    expect(h.queue.workflowState(id)).toMatchObject({ state: 'completed' });
  });

  it('a chord runs its callback once, after every member succeeded', async () => {
    h = queueHarness();
    const done: number[] = [];
    h.queue.register('member', {
      schema: Payload,
      queue: 'compute',
      handler: async ({ n }) => void done.push(n),
    });
    h.queue.register('callback', { schema: Payload, queue: 'io', handler: async () => void done.push(99) });
    h.queue.start();
    const id = h.queue.chord(
      [1, 2, 3, 4].map((n) => ({ type: 'member', payload: { n } })),
      { type: 'callback', payload: { n: 0 } },
    );
    await workflowDone(id);
    expect(done.slice(0, 4).sort()).toEqual([1, 2, 3, 4]);
    expect(done.filter((n) => n === 99)).toHaveLength(1);
    expect(done.at(-1)).toBe(99);
  });

  it('a chord whose member fails is marked failed, visibly, and its callback never runs', async () => {
    h = queueHarness();
    let callbackRan = false;
    h.queue.register('member', {
      schema: Payload,
      queue: 'compute',
      handler: async ({ n }) => {
        if (n === 2) throw new FatalError('malformed TIFF on page 2');
      },
    });
    h.queue.register('callback', {
      schema: Payload,
      queue: 'io',
      handler: async () => void (callbackRan = true),
    });
    h.queue.start();
    const id = h.queue.chord(
      [1, 2, 3].map((n) => ({ type: 'member', payload: { n } })),
      { type: 'callback', payload: { n: 0 } },
    );
    await workflowDone(id);
    expect(h.queue.workflowState(id)).toMatchObject({
      state: 'failed',
      failure: expect.stringMatching(/malformed TIFF/),
    });
    expect(callbackRan).toBe(false);
  });

  it('a workflow survives a crash: a new queue on the same database resumes the chain where it stood', async () => {
    h = queueHarness();
    h.queue.register('step', { schema: Payload, queue: 'compute', handler: async () => {} });
    const id = h.queue.chain([1, 2, 3].map((n) => ({ type: 'step', payload: { n } })));
    // "Crash": the first step is leased and never acknowledged, then the process is gone.
    h.store.lease('compute', 'dead-worker', h.clock.now(), 60_000);
    const restarted = new JobQueue(h.store, h.clock, silentLogger(), () => {}, h.workflowFinished);
    const order: number[] = [];
    restarted.register('step', {
      schema: Payload,
      queue: 'compute',
      handler: async ({ n }) => void order.push(n),
    });
    restarted.start();
    await workflowDone(id);
    expect(order).toEqual([1, 2, 3]);
    await restarted.stop();
  });
});
