import { create } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { BatchStage, BatchSummary } from '../../../shared/contract/index';

export interface BatchQuery {
  stage: BatchStage | '';
  device: string;
  search: string;
}

interface BatchesSlice {
  byId: Record<string, BatchSummary>;
  /** Row order of the current query, as main returned it. */
  ids: string[];
  total: number;
  counts: Record<string, number>;
  query: BatchQuery;
  selectedId: string | null;
  /** Bumped when a batch changed stage or appeared: the counts by stage are asked for again. */
  countsStale: number;
}

/** Normalized batches keyed by id: a row re-renders only when its own batch changes. */
export const useBatchesStore = create<BatchesSlice>(() => ({
  byId: {},
  ids: [],
  total: 0,
  counts: {},
  query: { stage: '', device: '', search: '' },
  selectedId: null,
  countsStale: 0,
}));

export function batchPageReceived(page: {
  total: number;
  items: BatchSummary[];
  counts: Record<string, number>;
}) {
  useBatchesStore.setState((s) => {
    const byId = { ...s.byId };
    for (const item of page.items) byId[item.id] = item;
    return { byId, ids: page.items.map((i) => i.id), total: page.total, counts: page.counts };
  });
}

/** Whether a batch belongs in the list of the current query (as main's query would decide). */
export function matchesQuery(batch: BatchSummary, query: BatchQuery): boolean {
  if (query.stage && batch.stage !== query.stage) return false;
  if (query.device && !batch.device.toLowerCase().startsWith(query.device.toLowerCase())) return false;
  if (query.search) {
    const needle = query.search.toLowerCase();
    const found =
      batch.id.toLowerCase().includes(needle) ||
      batch.accessionNumbers.some((a) => a.toLowerCase().includes(needle));
    if (!found) return false;
  }
  return true;
}

/**
 * A batch changed: its row updates; it joins the list (at the top) when it now matches the
 * query and leaves it when it no longer does, so a stage filter stays true as batches move.
 * The counts come from main again shortly (countsStale), as main counts every batch.
 */
export function batchUpdated(batch: BatchSummary) {
  useBatchesStore.setState((s) => {
    const before = s.byId[batch.id];
    const listed = s.ids.includes(batch.id);
    const belongs = matchesQuery(batch, s.query);
    let ids = s.ids;
    if (belongs && !listed) ids = [batch.id, ...s.ids];
    else if (!belongs && listed) ids = s.ids.filter((id) => id !== batch.id);
    const moved = !before || before.stage !== batch.stage;
    return {
      byId: { ...s.byId, [batch.id]: batch },
      ids,
      total: s.total + (ids.length - s.ids.length),
      countsStale: moved ? s.countsStale + 1 : s.countsStale,
    };
  });
}

export const batchCountsReceived = (counts: Record<string, number>) => useBatchesStore.setState({ counts });
export const useCountsStale = () => useBatchesStore((s) => s.countsStale);

export const batchQueryChanged = (patch: Partial<BatchQuery>) =>
  useBatchesStore.setState((s) => ({ query: { ...s.query, ...patch } }));
export const batchSelected = (id: string | null) => useBatchesStore.setState({ selectedId: id });

export const useBatch = (id: string) => useBatchesStore((s) => s.byId[id]);
export const useBatchIds = () => useBatchesStore(useShallow((s) => s.ids));
export const useBatchQuery = () => useBatchesStore((s) => s.query);
export const useBatchCounts = () => useBatchesStore((s) => s.counts);
export const useBatchTotal = () => useBatchesStore((s) => s.total);
export const useSelectedBatchId = () => useBatchesStore((s) => s.selectedId);
