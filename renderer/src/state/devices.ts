import { create } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { DeviceStatus, DeviceWork } from '../../../shared/contract/index';

interface DevicesSlice {
  byName: Record<string, DeviceStatus>;
  /** What each scanner works on (current batch, waiting batches, hold), as main announces it. */
  workByName: Record<string, DeviceWork>;
}

/** Live scanner state keyed by name: one device's update re-renders one card. */
export const useDevicesStore = create<DevicesSlice>(() => ({ byName: {}, workByName: {} }));

export const deviceListReceived = (list: DeviceStatus[]) =>
  useDevicesStore.setState({ byName: Object.fromEntries(list.map((d) => [d.name, d])) });
export const deviceStatusReceived = (status: DeviceStatus) =>
  useDevicesStore.setState((s) => ({ byName: { ...s.byName, [status.name]: status } }));
export const deviceRemoved = (name: string) =>
  useDevicesStore.setState((s) => {
    const byName = { ...s.byName };
    delete byName[name];
    return { byName };
  });

export const useDeviceNames = () => useDevicesStore(useShallow((s) => Object.keys(s.byName).sort()));
export const useDevice = (name: string) => useDevicesStore((s) => s.byName[name]);
export const useActiveAlerts = () =>
  useDevicesStore(useShallow((s) => Object.values(s.byName).flatMap((d) => (d.alert ? [d.alert] : []))));

export const deviceWorkListReceived = (list: DeviceWork[]) =>
  useDevicesStore.setState({ workByName: Object.fromEntries(list.map((w) => [w.device, w])) });
export const deviceWorkReceived = (work: DeviceWork) =>
  useDevicesStore.setState((s) => ({ workByName: { ...s.workByName, [work.device]: work } }));
export const useDeviceWork = (name: string) => useDevicesStore((s) => s.workByName[name]);
/** Where a batch waits for its scanner: how many batches are ahead of it, or null if it does not wait. */
export const useWaitingPlace = (batchId: string, device: string | undefined) =>
  useDevicesStore((s) => {
    const work = device ? s.workByName[device] : undefined;
    const index = work ? work.waiting.indexOf(batchId) : -1;
    return index < 0 ? null : index + (work!.current ? 1 : 0);
  });
