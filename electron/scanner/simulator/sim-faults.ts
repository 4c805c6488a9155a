import type { SimulatorFault } from '../../../shared/contract/index';

/** The faults a simulator is armed with; page numbers are the scanner's, within a job. */
export interface Faults {
  jamAtPage: number | null;
  dropMidPage: number | null;
  corruptChecksum: number | null;
  notTiffAtPage: number | null;
  undecodableAtPage: number | null;
  duplicatePage: number | null;
  garbageAfterPage: number | null;
  slowFlush: number | null;
  byteAtATime: boolean;
  statusStorm: number | null;
}

export const NO_FAULTS: Faults = {
  jamAtPage: null,
  dropMidPage: null,
  corruptChecksum: null,
  notTiffAtPage: null,
  undecodableAtPage: null,
  duplicatePage: null,
  garbageAfterPage: null,
  slowFlush: null,
  byteAtATime: false,
  statusStorm: null,
};

/** Page faults: with one-shot faults on, each fires once and is then disarmed. */
export type PageFault =
  | 'corruptChecksum'
  | 'notTiffAtPage'
  | 'undecodableAtPage'
  | 'duplicatePage'
  | 'garbageAfterPage'
  | 'dropMidPage';

/** Arms (or, for `clear`, disarms) a fault; returns the new set. */
export function withFault(faults: Faults, fault: SimulatorFault): Faults {
  switch (fault.kind) {
    case 'jamAtPage':
    case 'dropMidPage':
    case 'corruptChecksum':
    case 'notTiffAtPage':
    case 'undecodableAtPage':
    case 'duplicatePage':
    case 'garbageAfterPage':
      return { ...faults, [fault.kind]: fault.page };
    case 'slowFlush':
      return { ...faults, slowFlush: fault.bytesPerSecond };
    case 'byteAtATime':
      return { ...faults, byteAtATime: true };
    case 'statusStorm':
      return { ...faults, statusStorm: fault.perSecond };
    case 'clear':
      return { ...NO_FAULTS };
  }
}

/** One page as the simulator sent it: what a soak compares a package against. */
export interface Transmission {
  /** Which CAPTURE of this simulator's life it belonged to (1, 2, …). */
  run: number;
  job: string;
  page: number;
  bytes: number;
  /** The true SHA-256 of the bytes sent (a corrupt-checksum fault announces another). */
  sha256: string;
  /**
   * Sent whole, with its true checksum announced, and PAGE_END written: a page the station may
   * keep. False for a corrupted, dropped or repeated page.
   */
  intact: boolean;
}
