import type { StoredAsset, SyncRun } from '../../shared/contract/index';
import { deriveTier } from './access-tier';
import type { CatalogStore } from './catalog-store';
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
  store: CatalogStore,
  client: CmsClient,
  ids: AsyncIterable<string> | Iterable<string>,
  options: SyncOptions = {},
): Promise<SyncRun> {
  const concurrency = options.concurrency ?? 15;
  const batchSize = options.batchSize ?? 200;
  const now = options.now ?? (() => new Date());
  const runId = store.startRun(client.apiBase, null, now().toISOString());
  const counts = { fetched: 0, upserted: 0, unchanged: 0, deadLetters: 0 };
  let pending: StoredAsset[] = [];
  const inFlight = new Set<Promise<void>>();
  let lastReport = 0;

  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const result = store.upsertBatch(batch);
    counts.upserted += result.upserted;
    counts.unchanged += result.unchanged;
  };

  const report = (force = false) => {
    if (!force && counts.fetched - lastReport < 100) return;
    lastReport = counts.fetched;
    store.updateRun(runId, counts);
    const run = store.run(runId);
    if (run) options.onProgress?.(run);
  };

  const handle = async (id: string) => {
    const outcome = await client.fetchAsset(id);
    counts.fetched += 1;
    if (outcome.ok) {
      const today = now().toISOString().slice(0, 10);
      const cmsTier = outcome.record.access_tier ?? null;
      pending.push({
        ...outcome.record,
        access_tier: cmsTier ?? deriveTier(outcome.record, today),
        tier_source: cmsTier ? 'cms' : 'derived',
        synced_at: now().toISOString(),
      });
      if (pending.length >= batchSize) flush();
    } else {
      counts.deadLetters += 1;
      store.addDeadLetter({
        runId,
        assetId: id,
        reason: outcome.reason,
        status: outcome.status,
        detail: outcome.detail,
        issues: outcome.issues,
        attempts: outcome.attempts,
        at: now().toISOString(),
      });
    }
    report();
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
    flush();
    store.updateRun(runId, { ...counts, total: counts.fetched });
    store.finishRun(runId, 'completed', null, now().toISOString());
  } catch (error) {
    await Promise.allSettled(inFlight);
    store.updateRun(runId, counts);
    store.finishRun(runId, 'failed', (error as Error).message, now().toISOString());
  }
  report(true);
  return store.run(runId)!;
}

/** Ids from a file, one per line, read as a stream (never the whole file in memory). */
export async function* idsFromFile(file: string): AsyncGenerator<string> {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield line.trim();
}
