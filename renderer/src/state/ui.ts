import { create } from 'zustand';

export const VIEWS = ['devices', 'queue', 'quarantine', 'audit', 'settings'] as const;
export type ViewId = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<ViewId, string> = {
  devices: 'Devices',
  queue: 'Queue',
  quarantine: 'Quarantine',
  audit: 'Audit',
  settings: 'Settings',
};

interface UiSlice {
  view: ViewId;
}

export const useUiStore = create<UiSlice>(() => ({ view: 'devices' }));
export const viewSelected = (view: ViewId) => useUiStore.setState({ view });
export const useView = () => useUiStore((s) => s.view);
