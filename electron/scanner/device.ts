import type { DeviceStatus, ScanProfile } from '../../shared/contract/index';
import type { Logger } from '../core/logger';
import type { PageSink } from './page-sink';
import type { CapturedPage } from './page-writer';
import type { MasterFormat } from './master-format';

/**
 * The driver-neutral scanner, as the pipeline, the handlers and the console see it. Drivers
 * (ScanLink/1, eSCL, SANE) live in their own folders and implement this; nothing outside a
 * driver folder names the protocol behind a device.
 */

export type ScanMode = 'color' | 'gray' | 'bw';
export type BitDepth = 1 | 8 | 16;
export type ScanSource = 'flatbed' | 'feeder' | 'duplex';
export type { MasterFormat } from './master-format';

/** What the scanner says it can do (from the device itself, never assumed). */
export interface DeviceCapabilities {
  sources: ScanSource[];
  modes: ScanMode[];
  bitDepths: BitDepth[];
  /** Discrete resolutions in dpi the device offers (a range is expanded to its common steps). */
  resolutions: number[];
  /** Any whole dpi within this range is accepted too, where the device takes one (null: only the steps). */
  resolutionRange?: { min: number; max: number } | null;
  formats: MasterFormat[];
  /** Largest scan area in millimetres, when the device reports one. */
  maxArea: { widthMm: number; heightMm: number } | null;
}

/** Who the device says it is; recorded in technical metadata. */
export interface DeviceIdentity {
  /** The driver that spoke to it, e.g. the protocol's short name. */
  driver: string;
  vendor: string;
  model: string;
  serial: string;
  firmware: string;
}

export interface CaptureRequest {
  jobId: string;
  /** null: until the feeder is empty. */
  pages: number | null;
  dpi: number;
  mode: ScanMode;
  bitDepth: BitDepth;
  /** Default: the feeder when the device has one, else the flatbed. */
  source?: ScanSource;
  /** Lossy masters (JPEG, PDF) only when the scan profile explicitly allows them. */
  allowLossy?: boolean;
  /** Driver-specific options passed through per device (e.g. SANE backend options). */
  driverOptions?: Record<string, string>;
  /** Pages land here as page-NNNN.<ext>. */
  mastersDir: string;
  /**
   * Numbers and records each page. Without one, pages are numbered after the highest page
   * already in mastersDir and recorded nowhere (the standalone capture command).
   */
  sink?: PageSink;
  /** How long the job may take before it is aborted; default from pages and resolution. */
  timeLimitMs?: number;
  signal?: AbortSignal;
}

export type CaptureStatus = 'complete' | 'jammed' | 'aborted' | 'failed' | 'interrupted';

/** A page whose bytes were no whole image of its format (the page writer's structure check). */
export interface MalformedPage {
  page: number;
  format: MasterFormat | null;
  message: string;
}

/** A page whose bytes did not match the checksum the scanner announced. */
export interface ChecksumMismatch {
  page: number;
  expected: string;
  actual: string;
}

export interface CaptureResult {
  job: string;
  status: CaptureStatus;
  /** Pages verified and under their final names in this attempt (station numbering). */
  pages: CapturedPage[];
  checksumMismatches: ChecksumMismatch[];
  /** Pages the scanner announced against the protocol (repeated, out of order, beyond the job): not kept. */
  protocolErrors: { page: number; message: string }[];
  /** Pages whose bytes were no whole image of their format (truncated, broken structure): not kept. */
  malformedPages?: MalformedPage[];
  /**
   * Pages the scanner delivered whole after one that could not be kept or recorded, dropped so
   * that nothing is numbered past that gap (station numbering): their sheets left the feeder.
   */
  pagesNotKept?: number[];
  /**
   * A sheet held in doubt (SHEET_IN_DOUBT, ./sheet-in-doubt.ts) that certainly left the feeder:
   * its page had begun to arrive (station numbering). The batch owes that page. Not set where
   * the sheet may never have been fed (a job that failed or timed out while it waited for one).
   */
  sheetLeftFeeder?: number;
  fault: { code: string; message: string } | null;
  /** Why the job did not complete; `transient` says whether retrying may help. */
  error: { code: string; message: string; transient: boolean } | null;
}

export interface Device {
  readonly name: string;
  status(): DeviceStatus;
  /** null until the device has been reached at least once. */
  capabilities(): DeviceCapabilities | null;
  connect(): void;
  disconnect(): void;
  /** One job at a time per device; a second concurrent call fails with DEVICE_BUSY. */
  capture(request: CaptureRequest): Promise<CaptureResult>;
  /** Stops the running job; pages already named stay, a partial page never gets a final name. */
  cancel(): Promise<void>;
  /** Clears a jam where the protocol has a reset; otherwise resolves once the device is free. */
  reset(): Promise<void>;
  on(event: 'status', listener: (status: DeviceStatus) => void): this;
  on(event: 'alert', listener: (alert: NonNullable<DeviceStatus['alert']>) => void): this;
  /** Marks the device's alert as handled by an operator (a jam alert otherwise stays until reset). */
  acknowledgeAlert?(): void;
  /** Releases what the driver holds beyond its connection (trace files, child processes). */
  close?(): Promise<void>;
  /** What `quire probe` adds for this driver (e.g. the protocol's own greeting), beside the neutral facts. */
  probeDetails?(): Record<string, unknown>;
}

/** What the fleet's factory hands every driver's constructor. */
export interface DriverOptions {
  /** The device's name in the fleet (e.g. `sim-2`, `reading-room-fi7160`). */
  name: string;
  /**
   * Where the device is, in its driver's own form: `HOST:PORT` (ScanLink),
   * `http(s)://HOST:PORT/<root>` (eSCL), a SANE device name such as `test` or `fujitsu:fi-7160:1234`.
   */
  address: string;
  /** The device's default scan profile (a batch's own profile overrides it). */
  profile: ScanProfile;
  /** Passed through to the driver (e.g. SANE backend options such as double-feed detection). */
  driverOptions?: Record<string, string>;
  /** HTTPS: the SHA-256 fingerprint of the certificate an operator pinned for this device. */
  pinnedCertificateSha256?: string;
  simulated?: boolean;
  logger?: Logger;
}
