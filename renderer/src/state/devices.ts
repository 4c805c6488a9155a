import { create } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { DeviceStatus } from '../../../shared/contract/index';

interface DevicesSlice {
  byName: Record<string, DeviceStatus>;
}

/** Live scanner state keyed by name: one device's update re-renders one card. */
export const useDevicesStore = create<DevicesSlice>(() => ({ byName: {} }));

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
