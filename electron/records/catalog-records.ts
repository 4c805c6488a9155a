import { createHash } from 'node:crypto';
import type { DeadLetter, StoredAsset, SyncRun } from '../../shared/contract/index';
import { canonicalJson } from '../../shared/domain/manifest';

/**
 * The catalog synced from the collection-management API: records keyed by accession number,
 * sync runs and their dead letters. Two engines keep them: the station's SQLite
 * (records/sqlite/catalog-records.ts, one station) and the lab's PostgreSQL
 * (records/postgres/catalog-records.ts, where one sync fills the catalog of every station).
 * Nothing above this interface names either.
 */
export interface CatalogRecords {
  /**
   * One step of a sync run, in one transaction: a batch of records, the dead letters met since
   * the last step, and the run's counts after them. `counts` holds the counts before this
   * batch's records (fetched and dead letters already include it); the new ones are returned.
   * A record whose content is unchanged is not rewritten. If anything fails the step is rolled
   * back and earlier steps stay.
   */
  commitSyncStep(
    runId: string,
    records: readonly StoredAsset[],
    letters: readonly DeadLetter[],
    counts: RunCounts,
  ): Promise<RunCounts>;
  /** Upserts records outside a run (a seed or an import), in one transaction. */
  upsert(records: readonly StoredAsset[]): Promise<{ upserted: number; unchanged: number }>;
  /** Throws CatalogUnreachableError when the store that keeps the catalog does not answer. */
  get(accession: string): Promise<StoredAsset | null>;
  count(): Promise<number>;
  /** Every record in accession-number order (bytewise), read a page at a time. */
  each(pageSize?: number): AsyncIterable<StoredAsset>;
  startRun(apiBase: string, total: number | null, now: string): Promise<string>;
  updateRun(id: string, patch: RunCounts & { total?: number | null }): Promise<void>;
  finishRun(id: string, state: 'completed' | 'failed', error: string | null, now: string): Promise<void>;
  run(id: string): Promise<SyncRun | null>;
  /** Newest first. */
  runs(limit?: number): Promise<SyncRun[]>;
  /** Oldest first (then by asset id); `total` counts every letter the filter matches. */
  deadLetters(
    runId: string | undefined,
    offset: number,
    limit: number,
  ): Promise<{ total: number; items: DeadLetter[] }>;
  /** A run's dead-lettered ids in order, read a page at a time (a retry syncs them again). */
  deadLetterIds(runId: string, pageSize?: number): AsyncIterable<string>;
}

/**
 * The store that keeps the catalog did not answer (the lab database is away): nothing was read,
 * and asking again later may work. An answer that refused the query is not this error.
 */
export class CatalogUnreachableError extends Error {
  override readonly name = 'CatalogUnreachableError';
}

export interface RunCounts {
  fetched: number;
  upserted: number;
  unchanged: number;
  deadLetters: number;
}

/** What tells a changed record from an unchanged one: its content, without when it was synced. */
export function catalogContentHash(record: StoredAsset): string {
  const { synced_at: _syncedAt, ...content } = record;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
