import type { SimulatorFault } from '../../../../shared/contract/index';

/**
 * Faults the simulated eSCL scanner can be armed with. Page numbers are within one scan job
 * (1-based). Page faults fire once and are then disarmed, as a real transient fault would.
 */
export type EsclSimFault =
  /** The sheet for page N jams: NextDocument answers 409, the feeder reports a jam until cleared. */
  | { kind: 'jamAtPage'; page: number }
  /** The next `times` ScanJobs/NextDocument requests answer 503, with Retry-After when given. */
  | { kind: 'busy'; times: number; retryAfterSeconds?: number | null }
  /** Page N is first refused with 404 `times` times while the job still reports Processing. */
  | { kind: 'early404'; page: number; times: number }
  /** Every body is sent chunked, in small pieces, at about this rate. */
  | { kind: 'slowBody'; bytesPerSecond: number; chunkBytes?: number }
  /** Every body is sent with chunked transfer encoding and no Content-Length. */
  | { kind: 'chunked' }
  /** Page N's connection is dropped half way through its (chunked) body. */
  | { kind: 'dropMidPage'; page: number }
  /** Page N announces its full Content-Length but the connection closes after half of it. */
  | { kind: 'truncateAtPage'; page: number }
  /** Page N's body is a cleanly ended HTTP message holding only the first half of the image. */
  | { kind: 'truncatedImageAtPage'; page: number }
  /** The job is cancelled on the device's panel before page N: NextDocument answers 410. */
  | { kind: 'cancelAtPage'; page: number }
  /** The scanner aborts the job before page N (an internal error): NextDocument answers 404. */
  | { kind: 'abortAtPage'; page: number }
  /** The feeder is emptied (every remaining sheet taken away). */
  | { kind: 'emptyFeeder' }
  /** Disarms every fault (a jam already in the feeder stays until cleared). */
  | { kind: 'clear' };

export interface EsclFaults {
  jamAtPage: number | null;
  busy: { times: number; retryAfterSeconds: number | null } | null;
  early404: { page: number; times: number } | null;
  slowBody: { bytesPerSecond: number; chunkBytes: number } | null;
  chunked: boolean;
  dropMidPage: number | null;
  truncateAtPage: number | null;
  cancelAtPage: number | null;
  abortAtPage: number | null;
  truncatedImageAtPage: number | null;
}

export const NO_ESCL_FAULTS: EsclFaults = {
  jamAtPage: null,
  busy: null,
  early404: null,
  slowBody: null,
  chunked: false,
  dropMidPage: null,
  truncateAtPage: null,
  cancelAtPage: null,
  abortAtPage: null,
  truncatedImageAtPage: null,
};

/** The faults with one more armed (or, for `clear`, none); `emptyFeeder` is the feeder's business. */
export function withEsclFault(faults: EsclFaults, fault: EsclSimFault): EsclFaults {
  const f = { ...faults };
  switch (fault.kind) {
    case 'jamAtPage':
      f.jamAtPage = fault.page;
      return f;
    case 'busy':
      f.busy = { times: fault.times, retryAfterSeconds: fault.retryAfterSeconds ?? null };
      return f;
    case 'early404':
      f.early404 = { page: fault.page, times: fault.times };
      return f;
    case 'slowBody':
      f.slowBody = { bytesPerSecond: fault.bytesPerSecond, chunkBytes: fault.chunkBytes ?? 4096 };
      return f;
    case 'chunked':
      f.chunked = true;
      return f;
    case 'dropMidPage':
      f.dropMidPage = fault.page;
      return f;
    case 'truncateAtPage':
      f.truncateAtPage = fault.page;
      return f;
    case 'cancelAtPage':
      f.cancelAtPage = fault.page;
      return f;
    case 'truncatedImageAtPage':
      f.truncatedImageAtPage = fault.page;
      return f;
    case 'abortAtPage':
      f.abortAtPage = fault.page;
      return f;
    case 'emptyFeeder':
      return f;
    case 'clear':
      return { ...NO_ESCL_FAULTS };
  }
}

/**
 * The console's fault menu (the ScanLink simulator's kinds) in eSCL form where one exists: a
 * jam, a dropped connection, a slow body. Null for kinds eSCL has no form of (checksums,
 * duplicate or out-of-sequence pages are ScanLink framing faults).
 */
export function esclFaultOf(fault: SimulatorFault): EsclSimFault | null {
  switch (fault.kind) {
    case 'jamAtPage':
    case 'dropMidPage':
      return { kind: fault.kind, page: fault.page };
    case 'slowFlush':
      return { kind: 'slowBody', bytesPerSecond: fault.bytesPerSecond };
    case 'byteAtATime':
      return { kind: 'slowBody', bytesPerSecond: 1_000_000, chunkBytes: 1 };
    case 'clear':
      return { kind: 'clear' };
    default:
      return null;
  }
}
