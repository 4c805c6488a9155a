import { create } from 'zustand';

export const VIEWS = ['devices', 'queue', 'quarantine', 'shift', 'audit', 'settings'] as const;
export type ViewId = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<ViewId, string> = {
  devices: 'Devices',
  queue: 'Queue',
  quarantine: 'Quarantine',
  shift: 'Shift',
  audit: 'Audit',
  settings: 'Settings',
};

interface UiSlice {
  view: ViewId;
  /** A device card asked for a new batch on this scanner: the Queue view opens its form for it. */
  newBatchDevice: string | null;
}

export const useUiStore = create<UiSlice>(() => ({ view: 'devices', newBatchDevice: null }));
export const viewSelected = (view: ViewId) => useUiStore.setState({ view });
export const useView = () => useUiStore((s) => s.view);
export const newBatchRequested = (device: string) =>
  useUiStore.setState({ view: 'queue', newBatchDevice: device });
export const newBatchHandled = () => useUiStore.setState({ newBatchDevice: null });
export const useNewBatchDevice = () => useUiStore((s) => s.newBatchDevice);
