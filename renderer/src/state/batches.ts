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
}

/** Normalized batches keyed by id: a row re-renders only when its own batch changes. */
export const useBatchesStore = create<BatchesSlice>(() => ({
  byId: {},
  ids: [],
  total: 0,
  counts: {},
  query: { stage: '', device: '', search: '' },
  selectedId: null,
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

export function batchUpdated(batch: BatchSummary) {
  useBatchesStore.setState((s) => {
    const unfiltered = !s.query.stage && !s.query.device && !s.query.search;
    // A batch started since the list was fetched appears at the top of an unfiltered queue.
    const ids = unfiltered && !(batch.id in s.byId) ? [batch.id, ...s.ids] : s.ids;
    return {
      byId: { ...s.byId, [batch.id]: batch },
      ids,
      total: ids.length > s.ids.length ? s.total + 1 : s.total,
    };
  });
}

export const batchQueryChanged = (patch: Partial<BatchQuery>) =>
  useBatchesStore.setState((s) => ({ query: { ...s.query, ...patch } }));
export const batchSelected = (id: string | null) => useBatchesStore.setState({ selectedId: id });

export const useBatch = (id: string) => useBatchesStore((s) => s.byId[id]);
export const useBatchIds = () => useBatchesStore(useShallow((s) => s.ids));
export const useBatchQuery = () => useBatchesStore((s) => s.query);
export const useBatchCounts = () => useBatchesStore((s) => s.counts);
export const useBatchTotal = () => useBatchesStore((s) => s.total);
export const useSelectedBatchId = () => useBatchesStore((s) => s.selectedId);
