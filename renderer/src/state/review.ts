import { create } from 'zustand';
import type { BatchSummary } from '../../../shared/contract/index';

export type QuarantineItem = BatchSummary & { reason: string; quarantinedAt: string };

interface ReviewSlice {
  items: QuarantineItem[];
  selectedId: string | null;
  /** Bumped on every quarantine change so open details refetch. */
  revision: number;
}

export const useReviewStore = create<ReviewSlice>(() => ({ items: [], selectedId: null, revision: 0 }));

export const quarantineListReceived = (items: QuarantineItem[]) => useReviewStore.setState({ items });
export const quarantineChanged = () => useReviewStore.setState((s) => ({ revision: s.revision + 1 }));
export const reviewSelected = (id: string | null) => useReviewStore.setState({ selectedId: id });

export const useQuarantineItems = () => useReviewStore((s) => s.items);
export const useReviewSelection = () => useReviewStore((s) => s.selectedId);
export const useReviewRevision = () => useReviewStore((s) => s.revision);
