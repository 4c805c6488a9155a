import type { BatchRecords } from '../../records/batch-records';
import type { BatchStore } from './batch-store';

/**
 * The station's SQLite batch records behind the engine-neutral, asynchronous interface that
 * the lab's PostgreSQL engine also implements. SQLite answers at once; the promises are only
 * the interface's shape.
 */
export function sqliteBatchRecords(store: BatchStore): BatchRecords {
  return {
    insert: async (batch) => store.insert(batch),
    summary: async (id) => store.summary(id),
    manifest: async (id) => store.manifest(id),
    detail: async (id) => store.detail(id),
    list: async (filter) => store.list(filter),
    quarantined: async () => store.quarantined(),
    setStage: async (id, stage, extra) => store.setStage(id, stage, extra),
    quarantine: async (id, diagnostics) => store.quarantine(id, diagnostics),
    recordDecision: async (id, decision) => store.recordDecision(id, decision),
    startAttempt: async (id, stage, worker) => store.startAttempt(id, stage, worker),
    finishAttempt: async (attemptId, outcome, error) => store.finishAttempt(attemptId, outcome, error),
    attempts: async (id) => store.attempts(id),
    addPage: async (id, page) => store.addPage(id, page),
    forgetPages: async (id, pages) => store.forgetPages(id, pages),
    updatePage: async (id, page, patch) => store.updatePage(id, page, patch),
    page: async (id, page) => store.page(id, page),
    pages: async (id) => store.pages(id),
  };
}
