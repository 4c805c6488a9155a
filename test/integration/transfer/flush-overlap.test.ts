import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  TokenBucket,
  transferId,
  transferPackage,
  type Destination,
  type PackageTarget,
} from '../../../electron/transfer/index';
import { freshStoreEachTest, makeBag } from './fixture';

// The engine sends the next file while the last one is flushed and renamed into place (an
// fsync of a 100 MB master is tens of milliseconds of a transfer that would otherwise wait).
// What must still hold: a file counts as committed only after its own flush, at most one file
// is flushing behind the one being sent, and a failed flush fails the transfer.

interface Flush {
  rel: string;
  release: () => void;
  fail: (error: Error) => void;
}

/** The flushes a destination was asked for, in order; a test awaits them, never polls. */
class Flushes {
  readonly asked: Flush[] = [];
  private waiters: Array<() => void> = [];

  add(flush: Flush): void {
    this.asked.push(flush);
    this.waiters.splice(0).forEach((wake) => wake());
  }

  /** Resolves when the destination has been asked to flush `count` files so far. */
  async requested(count: number): Promise<Flush> {
    while (this.asked.length < count) await new Promise<void>((wake) => this.waiters.push(wake));
    return this.asked[count - 1]!;
  }
}

/**
 * A destination that acknowledges every byte at once and then waits, per file, for the test to
 * release (or fail) its flush; what it was asked to do is logged in order.
 */
function gatedDestination(log: string[], flushes: Flushes): Destination {
  const stored = new Map<string, number>();
  const target: PackageTarget = {
    put: async (file, _progress, io) => {
      log.push(`send ${file.rel}`);
      io.sent(file.size);
      io.saveBytes(file.size);
      io.sentAll?.();
      await new Promise<void>((release, fail) => flushes.add({ rel: file.rel, release, fail }));
      stored.set(file.rel, file.size);
      log.push(`flushed ${file.rel}`);
    },
    size: (rel) => Promise.resolve(stored.get(rel) ?? null),
    read: () => null,
    checkStored: () => Promise.resolve(null),
    published: () => Promise.resolve(false),
    publish: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return {
    label: 'gated://test',
    verifiesBy: 'checksums',
    open: () => Promise.resolve(target),
    close: async () => {},
  };
}

describe('transfer engine: flushing one file while sending the next', () => {
  const t = freshStoreEachTest('quire-flush-overlap-');

  it('commits a file only after its flush, sends the next meanwhile, and stays at most one behind', async () => {
    const bag = makeBag(t.dir, 'F1', [1000, 2000, 3000], []);
    const id = transferId(realpathSync(bag), 'gated://test');
    const log: string[] = [];
    const flushes = new Flushes();
    const running = transferPackage({
      packageDir: bag,
      destination: gatedDestination(log, flushes),
      store: t.store,
      limiter: new TokenBucket({ rate: null }),
      verify: 'all',
    });

    const first = await flushes.requested(1);
    const second = await flushes.requested(2);
    // The second file was sent while the first one's flush was still open...
    expect(log.slice(0, 2)).toEqual([`send ${first.rel}`, `send ${second.rel}`]);
    expect(t.store.file(id, first.rel).state).not.toBe('committed');
    // ...but the third waits until the first is flushed.
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(flushes.asked).toHaveLength(2);

    first.release();
    const third = await flushes.requested(3);
    expect(t.store.file(id, first.rel).state).toBe('committed');
    expect(t.store.file(id, second.rel).state).not.toBe('committed');
    second.release();
    third.release();
    // The tag files after the masters go the same way.
    for (let n = 4; ; n++) {
      const settled = await Promise.race([running.then(() => true), flushes.requested(n).then(() => false)]);
      if (settled) break;
      flushes.asked[n - 1]!.release();
    }
    const result = await running;
    expect(result.verified).toBe(true);
    for (const f of flushes.asked) expect(t.store.file(id, f.rel).state).toBe('committed');
  });

  it('fails the transfer when a flush fails, without committing that file', async () => {
    const bag = makeBag(t.dir, 'F2', [1000, 2000], []);
    const id = transferId(realpathSync(bag), 'gated://test');
    const flushes = new Flushes();
    const running = transferPackage({
      packageDir: bag,
      destination: gatedDestination([], flushes),
      store: t.store,
      limiter: new TokenBucket({ rate: null }),
      verify: 'all',
      retries: 0,
    });
    const first = await flushes.requested(1);
    const second = await flushes.requested(2);
    first.fail(new Error('fsync failed: no space left on device (simulated)'));
    second.release();
    await expect(running).rejects.toThrow(/fsync failed/);
    expect(t.store.file(id, first.rel).state).not.toBe('committed');
    expect(t.store.get(id)?.state).toBe('failed');
  });
});
