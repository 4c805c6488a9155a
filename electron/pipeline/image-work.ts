import os from 'node:os';
import pLimit from 'p-limit';
import sharp from 'sharp';

export interface ImageConcurrency {
  /** Masters decoded at once across the whole station (every QC and derivatives job together). */
  pagesInFlight: number;
  /** libvips threads working on each page. */
  threadsPerPage: number;
}

/**
 * Set deliberately rather than left to sharp, whose default can be a single libvips thread on
 * small machines. Measured by `npm run bench -- derivatives` on 2 cores (600-dpi A4 colour), every
 * setting in every round (2026-12-01, three runs of 5 rounds, after access copies became one
 * pass): 2 pages × 2 threads, 2 × 1 and 3 × 1 were level within the rounds' spread (medians
 * 310–389 pages/min, their order changing from run to run), and all ahead of 1 page × 2 threads,
 * because one page's reads and fsyncs overlap the other's pixel work. Pages stream their masters
 * (sequential reads), so a page in flight costs buffers and one access-sized image, never a
 * whole master.
 */
export function defaultImageConcurrency(cores = os.availableParallelism()): ImageConcurrency {
  return { pagesInFlight: Math.min(8, Math.max(2, cores)), threadsPerPage: 2 };
}

export interface ImageWorkPool {
  readonly concurrency: ImageConcurrency;
  /** Runs one page's image work when a slot is free; slots are shared by every batch. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Each item's work, at most `pagesInFlight` at once, results in the items' order. */
  map<I, T>(items: readonly I[], work: (item: I) => Promise<T>): Promise<T[]>;
}

/** One per station: sharp's thread count is process-wide, and so is the page limit. */
export function createImageWorkPool(concurrency = defaultImageConcurrency()): ImageWorkPool {
  sharp.concurrency(concurrency.threadsPerPage);
  const limit = pLimit(concurrency.pagesInFlight);
  const run = <T>(work: () => Promise<T>) => limit(work);
  return {
    concurrency,
    run,
    // allSettled, so that one page's failure never leaves another page's write running unseen.
    async map<I, T>(items: readonly I[], work: (item: I) => Promise<T>): Promise<T[]> {
      const settled = await Promise.allSettled(items.map((item) => run(() => work(item))));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
    },
  };
}
