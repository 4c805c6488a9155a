import { create } from 'zustand';
import type { StationInfo } from '../../../shared/contract/index';
import type { ConnectionState } from '../ipc/bridge-transport';

interface ConnectionSlice {
  state: ConnectionState;
  info: StationInfo | null;
}

/** Mirrors the link to the station core; it makes no decisions. */
export const useConnectionStore = create<ConnectionSlice>(() => ({ state: 'connecting', info: null }));

export const connectionChanged = (state: ConnectionState) => useConnectionStore.setState({ state });
export const stationInfoReceived = (info: StationInfo) => useConnectionStore.setState({ info });

export const useConnectionState = () => useConnectionStore((s) => s.state);
export const useStationInfo = () => useConnectionStore((s) => s.info);
