import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createImageWorkPool, defaultImageConcurrency } from '../../../electron/pipeline/image-work';

/** A task that finishes only when the test releases it, so overlap is observed, not timed. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('image work pool', () => {
  it('keeps at most pagesInFlight pages at once, shared by every caller, results in order', async () => {
    const pool = createImageWorkPool({ pagesInFlight: 2, threadsPerPage: 2 });
    expect(sharp.concurrency()).toBe(2);
    const gates = [gate(), gate(), gate(), gate(), gate()];
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const work = async (i: number) => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await gates[i]!.opened;
      running--;
      return i * 10;
    };
    // Two batches share the pool: their pages together never exceed the limit.
    const first = pool.map([0, 1, 2], work);
    const second = pool.map([3, 4], work);
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    for (const g of [...gates].reverse()) g.open();
    expect(await first).toEqual([0, 10, 20]);
    expect(await second).toEqual([30, 40]);
    expect(most).toBe(2);
  });

  it('rejects only after every page of the call has settled', async () => {
    const pool = createImageWorkPool({ pagesInFlight: 2, threadsPerPage: 1 });
    const slow = gate();
    let slowFinished = false;
    const result = pool.map([0, 1], async (i) => {
      if (i === 0) throw new Error('page 1 does not decode');
      await slow.opened;
      slowFinished = true;
    });
    const settledEarly = await Promise.race([
      result.then(
        () => 'done',
        () => 'rejected',
      ),
      Promise.resolve('pending'),
    ]);
    expect(settledEarly).toBe('pending');
    slow.open();
    await expect(result).rejects.toThrow('page 1 does not decode');
    expect(slowFinished).toBe(true);
  });

  it('uses two threads per page and at least two pages in flight, capped at eight', () => {
    expect(defaultImageConcurrency(1)).toEqual({ pagesInFlight: 2, threadsPerPage: 2 });
    expect(defaultImageConcurrency(2)).toEqual({ pagesInFlight: 2, threadsPerPage: 2 });
    expect(defaultImageConcurrency(64).pagesInFlight).toBe(8);
  });
});
