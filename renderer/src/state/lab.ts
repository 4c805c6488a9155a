import { create } from 'zustand';
import type { LabState } from '../../../shared/contract/index';

interface LabSlice {
  /** The station's links to its lab; null for a station alone (or not yet asked). */
  state: LabState | null;
  /** Counts the lab database coming back: views remount and fetch the lab's batches again. */
  epoch: number;
}

/** Mirrors main's lab state; it makes no decisions. */
export const useLabStore = create<LabSlice>(() => ({ state: null, epoch: 0 }));

export const labStateReceived = (state: LabState | null) =>
  useLabStore.setState((s) => {
    const was = s.state?.database?.state;
    const now = state?.database?.state;
    // Back after an outage: what the other stations did meanwhile was not announced here.
    const back = now === 'connected' && was !== undefined && was !== 'connected';
    return { state, epoch: back ? s.epoch + 1 : s.epoch };
  });

export const useLabState = () => useLabStore((s) => s.state);
export const useLabEpoch = () => useLabStore((s) => s.epoch);
