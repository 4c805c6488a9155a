import type { AuditModule } from '../audit/module';
import type { CoreContext } from '../core/core-context';
import type { QueueModule } from '../queue/module';

export interface CatalogModuleDeps {
  queue: QueueModule;
  audit: AuditModule;
}

/** The local catalog synced from the collection-management API (filled in by the catalog issue). */
export interface CatalogModule {
  close(): Promise<void>;
}

export async function createCatalogModule(
  core: CoreContext,
  deps: CatalogModuleDeps,
): Promise<CatalogModule> {
  void core;
  void deps;
  return { close: async () => {} };
}
