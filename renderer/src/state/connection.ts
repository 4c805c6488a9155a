import { create } from 'zustand';
import type { StationInfo } from '../../../shared/contract/index';
import type { ConnectionState } from '../ipc/bridge-transport';

interface ConnectionSlice {
  state: ConnectionState;
  info: StationInfo | null;
  /** When live values were last known to be current (the moment the link was lost), or null. */
  lostAt: number | null;
  /** Counts connections: views remount on a new one, so they fetch current values again. */
  epoch: number;
}

/** Mirrors the link to the station core; it makes no decisions. */
export const useConnectionStore = create<ConnectionSlice>(() => ({
  state: 'connecting',
  info: null,
  lostAt: null,
  epoch: 0,
}));

export const connectionChanged = (state: ConnectionState) =>
  useConnectionStore.setState((s) => ({
    state,
    lostAt: state === 'connected' ? null : s.state === 'connected' ? Date.now() : s.lostAt,
    epoch: state === 'connected' && s.state !== 'connected' ? s.epoch + 1 : s.epoch,
  }));
export const stationInfoReceived = (info: StationInfo) => useConnectionStore.setState({ info });

export const useConnectionState = () => useConnectionStore((s) => s.state);
export const useStationInfo = () => useConnectionStore((s) => s.info);
/** Live values on screen are not current: the link is down after having been up. */
export const useStaleSince = () => useConnectionStore((s) => (s.state === 'connected' ? null : s.lostAt));
export const useConnectionEpoch = () => useConnectionStore((s) => s.epoch);
