import type { StoredAsset, SyncRun } from '../../shared/contract/index';
import type { AuditModule } from '../audit/module';
import type { CoreContext } from '../core/core-context';
import { invalidInput, notFound } from '../core/station-error';
import type { QueueModule } from '../queue/module';
import type { CatalogRecords } from '../records/catalog-records';
import { CmsClient, type CmsClientOptions } from './cms-client';
import { syncCatalog } from './sync';

export interface CatalogModuleDeps {
  queue: QueueModule;
  audit: AuditModule;
  /** Where the records, runs and dead letters are kept: the station's SQLite or the lab's. */
  records: CatalogRecords;
}

/**
 * The local catalog synced from the collection-management API. Batches link to it by
 * accession number. Kept libraries: undici (keep-alive pool), with concurrency bounded by a
 * pull-based window over the id stream (a queue of a million pending promises would not be flat).
 */
export interface CatalogModule {
  readonly records: CatalogRecords;
  /** Starts a sync in the background; returns its run id at once. */
  startSync(
    apiBase: string,
    ids: AsyncIterable<string> | Iterable<string>,
    client?: CmsClientOptions,
  ): Promise<string>;
  sync(
    apiBase: string,
    ids: AsyncIterable<string> | Iterable<string>,
    client?: CmsClientOptions,
    onProgress?: (run: SyncRun) => void,
  ): Promise<SyncRun>;
  retryDeadLetters(runId: string): Promise<string>;
  accessionsFromBatches(): string[];
  get(accession: string): Promise<StoredAsset | null>;
  close(): Promise<void>;
}

export async function createCatalogModule(
  core: CoreContext,
  deps: CatalogModuleDeps,
): Promise<CatalogModule> {
  const store = deps.records;
  const running = new Set<Promise<unknown>>();
  const progress = (run: SyncRun) => core.events.emit('catalog.progress', run);

  const sync: CatalogModule['sync'] = async (apiBase, ids, clientOptions, onProgress) => {
    const client = new CmsClient(apiBase, clientOptions);
    try {
      return await syncCatalog(store, client, ids, {
        onProgress: (run) => (progress(run), onProgress?.(run)),
      });
    } finally {
      await client.close();
    }
  };

  const module: CatalogModule = {
    records: store,
    sync,
    async startSync(apiBase, ids, clientOptions) {
      let resolveId!: (id: string) => void;
      const idKnown = new Promise<string>((r) => (resolveId = r));
      const task = sync(apiBase, ids, clientOptions, (run) => resolveId(run.id))
        .then((run) => resolveId(run.id))
        .catch((error) => core.logger.error({ err: error }, 'catalog sync failed'))
        .finally(() => running.delete(task));
      running.add(task);
      return idKnown;
    },
    async retryDeadLetters(runId) {
      const run = await store.run(runId);
      if (!run) throw notFound(`sync run ${runId}`);
      return module.startSync(run.apiBase, store.deadLetterIds(runId));
    },
    accessionsFromBatches() {
      const rows = core.db.prepare('SELECT accession_numbers FROM batches').all() as {
        accession_numbers: string;
      }[];
      const all = new Set(rows.flatMap((r) => JSON.parse(r.accession_numbers) as string[]));
      if (all.size === 0) throw invalidInput('no batch names an accession number yet');
      return [...all];
    },
    get: (accession) => store.get(accession),
    async close() {
      await Promise.allSettled([...running]);
    },
  };
  return module;
}
