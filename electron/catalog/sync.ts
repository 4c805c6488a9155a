import type { DeadLetter, StoredAsset, SyncRun } from '../../shared/contract/index';
import { deriveTier } from './access-tier';
import type { CatalogRecords, RunCounts } from '../records/catalog-records';
import type { CmsClient } from './cms-client';

export interface SyncOptions {
  concurrency?: number;
  batchSize?: number;
  now?: () => Date;
  onProgress?: (run: SyncRun) => void;
}

/**
 * Streams ids through fetch → validate → upsert. At most `concurrency` requests are in flight
 * and at most one batch of records waits for its transaction, whatever the number of ids: the
 * ids are pulled from the iterable only as slots free up, so memory stays flat for a million.
 */
export async function syncCatalog(
  store: CatalogRecords,
  client: CmsClient,
  ids: AsyncIterable<string> | Iterable<string>,
  options: SyncOptions = {},
): Promise<SyncRun> {
  const concurrency = options.concurrency ?? 15;
  const batchSize = options.batchSize ?? 500;
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const runId = await store.startRun(client.apiBase, null, startedAt);
  const counts: RunCounts = { fetched: 0, upserted: 0, unchanged: 0, deadLetters: 0 };
  let pending: StoredAsset[] = [];
  let letters: DeadLetter[] = [];
  const inFlight = new Set<Promise<void>>();
  let lastReport = 0;
  /** Ids the API never answered for (network failure or timeout), as opposed to an HTTP error. */
  let unreachable = 0;

  // Records, dead letters and the run's counts reach the database together, one commit per
  // batch: the station's database is synchronous=FULL, so every commit is an fsync. Steps are
  // chained, one at a time, each taking what is pending when its turn comes: the counts it
  // writes are then exactly those of the records and letters stored with it and before it.
  let committed: Promise<void> = Promise.resolve();
  const commitPending = async () => {
    if (pending.length === 0 && letters.length === 0) return;
    const [batch, batchLetters] = [pending, letters];
    pending = [];
    letters = [];
    const after = await store.commitSyncStep(runId, batch, batchLetters, { ...counts });
    counts.upserted = after.upserted;
    counts.unchanged = after.unchanged;
  };
  const flush = () => (committed = committed.then(commitPending));

  // Progress comes from memory (a listener may be a UI redrawing): no query per report.
  const report = (force = false) => {
    if (!options.onProgress || (!force && counts.fetched - lastReport < 100)) return;
    lastReport = counts.fetched;
    options.onProgress({
      id: runId,
      apiBase: client.apiBase,
      state: 'running',
      total: null,
      ...counts,
      startedAt,
      finishedAt: null,
      error: null,
    });
  };

  const handle = async (id: string) => {
    const outcome = await client.fetchAsset(id);
    counts.fetched += 1;
    const at = now().toISOString();
    if (outcome.ok) {
      const cmsTier = outcome.record.access_tier ?? null;
      pending.push({
        ...outcome.record,
        access_tier: cmsTier ?? deriveTier(outcome.record, at.slice(0, 10)),
        tier_source: cmsTier ? 'cms' : 'derived',
        synced_at: at,
      });
    } else {
      if (outcome.reason === 'network' || outcome.reason === 'timeout') unreachable += 1;
      counts.deadLetters += 1;
      letters.push({
        runId,
        assetId: id,
        reason: outcome.reason,
        status: outcome.status,
        detail: outcome.detail,
        issues: outcome.issues,
        attempts: outcome.attempts,
        at,
      });
    }
    report();
    // The fetch holding this slot waits for the step: while a commit is slow, the window of
    // requests closes instead of records piling up in memory.
    if (pending.length + letters.length >= batchSize) await flush();
  };

  try {
    for await (const raw of ids) {
      const id = raw.trim();
      if (!id) continue;
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      const task: Promise<void> = handle(id).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
    await flush();
    await store.updateRun(runId, { ...counts, total: counts.fetched });
    // Not one answer: the run did not sync anything, so it says why instead of "completed".
    const unanswered = counts.fetched > 0 && unreachable === counts.fetched;
    await store.finishRun(
      runId,
      unanswered ? 'failed' : 'completed',
      unanswered ? `the collection API did not answer at ${client.apiBase}` : null,
      now().toISOString(),
    );
  } catch (error) {
    await Promise.allSettled(inFlight);
    try {
      // What was fetched before the failure is kept, after a step that failed too.
      committed = committed.catch(() => {});
      await flush();
    } catch {
      // the failure was the database itself; the run is recorded as failed below all the same
    }
    await store.updateRun(runId, counts);
    await store.finishRun(runId, 'failed', (error as Error).message, now().toISOString());
  }
  const finished = (await store.run(runId))!;
  options.onProgress?.(finished);
  return finished;
}

/** Ids from a file, one per line, read as a stream (never the whole file in memory). */
export async function* idsFromFile(file: string): AsyncGenerator<string> {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield line.trim();
}
