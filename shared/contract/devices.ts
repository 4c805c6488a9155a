import { z } from 'zod';
import { SafeId } from '../domain/safe-id';
import { command, event } from './define';

export const DeviceName = SafeId;

/** The scanner's own states plus the station's OFFLINE and CONNECTING. */
export const DeviceState = z.enum([
  'OFFLINE',
  'CONNECTING',
  'IDLE',
  'FEEDING',
  'CAPTURING',
  'FLUSHING',
  'READY',
  'JAMMED',
  'ERROR',
]);
export type DeviceState = z.infer<typeof DeviceState>;

export const ScanProfile = z.object({
  dpi: z.number().int().min(50).max(2400),
  mode: z.enum(['color', 'gray', 'bw']),
  bitDepth: z.union([z.literal(1), z.literal(8), z.literal(16)]),
});
export type ScanProfile = z.infer<typeof ScanProfile>;

/** The drivers a device's config may name; the fleet says which are built into this station. */
export const DriverName = z.enum(['scanlink', 'escl', 'sane']);
export type DriverName = z.infer<typeof DriverName>;

/** Optional scan settings a batch's profile may add; a device's capabilities say which it honours. */
export const ScanSource = z.enum(['flatbed', 'feeder', 'duplex']);
export type ScanSource = z.infer<typeof ScanSource>;

const Sha256Fingerprint = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/, 'a SHA-256 fingerprint: 64 hex digits, colons allowed')
  .transform((v) => v.replace(/:/g, '').toLowerCase());

const DeviceConfigFields = z.object({
  name: DeviceName,
  /** Which driver speaks to it. */
  driver: DriverName,
  /**
   * Where it is, in its driver's own form: `HOST:PORT` (scanlink), `http(s)://HOST:PORT/<root>`
   * (escl), a SANE device name such as `fujitsu:fi-7160:1234` (sane).
   */
  address: z.string().trim().min(1).max(1024),
  profile: ScanProfile,
  /** Passed through to the driver (e.g. SANE backend options such as double-feed detection). */
  driverOptions: z.record(z.string().min(1).max(128), z.string().max(1024)).optional(),
  /** Start the next batch waiting for this scanner when paper is loaded (off by default). */
  waitForPaper: z.boolean().optional(),
  /** HTTPS with a self-signed certificate: the SHA-256 fingerprint an operator pinned. */
  pinnedCertificateSha256: Sha256Fingerprint.optional(),
});

/**
 * A device's stored and submitted config. The older ScanLink-only form `{name, host, port,
 * profile}` is still accepted and read as `driver: 'scanlink', address: 'HOST:PORT'`, so stored
 * rows and existing callers keep working.
 */
export const DeviceConfig = z.preprocess((raw) => {
  if (raw && typeof raw === 'object' && !('driver' in raw) && !('address' in raw) && 'host' in raw) {
    const { host, port, ...rest } = raw as Record<string, unknown>;
    return { ...rest, driver: 'scanlink', address: `${String(host)}:${String(port)}` };
  }
  return raw;
}, DeviceConfigFields.strict());
export type DeviceConfig = z.output<typeof DeviceConfigFields>;
/** What a caller may hand in: the current form, or the older ScanLink `host`/`port` form. */
export type DeviceConfigInput =
  z.input<typeof DeviceConfigFields> | { name: string; host: string; port: number; profile: ScanProfile };

/** What the device says it can do; absent until it has been reached. */
export const DeviceCapabilities = z.object({
  sources: z.array(ScanSource),
  modes: z.array(z.enum(['color', 'gray', 'bw'])),
  bitDepths: z.array(z.union([z.literal(1), z.literal(8), z.literal(16)])),
  resolutions: z.array(z.number().int().positive()),
  /** Any whole dpi within this range, where the device accepts one (besides the listed steps). */
  resolutionRange: z.object({ min: z.number().int(), max: z.number().int() }).nullable().optional(),
  formats: z.array(z.enum(['tiff', 'png', 'jpeg', 'pdf'])),
  maxArea: z.object({ widthMm: z.number(), heightMm: z.number() }).nullable(),
});
export type DeviceCapabilitiesWire = z.infer<typeof DeviceCapabilities>;

export const DeviceAlert = z.object({
  device: z.string(),
  code: z.string(),
  message: z.string(),
  job: z.string().nullable(),
  at: z.string(),
});
export type DeviceAlert = z.infer<typeof DeviceAlert>;

export const DeviceStatus = z.object({
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  profile: ScanProfile,
  simulated: z.boolean(),
  state: DeviceState,
  adf: z.enum(['LOADED', 'EMPTY', 'JAM']).nullable(),
  /** Image bytes still in the scanner's memory. */
  buffered: z.number().int().nonnegative(),
  /** idle: no job; capturing: pages arriving; flushing: JOB_END seen or READY with bytes still to come; */
  flush: z.enum(['idle', 'capturing', 'flushing']),
  job: z.string().nullable(),
  page: z.number().int().nullable(),
  pagesPerMinute: z.number().nonnegative(),
  breaker: z.enum(['closed', 'open', 'half-open']),
  lastFault: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  identity: z
    .object({ vendor: z.string(), model: z.string(), serial: z.string(), firmware: z.string() })
    .nullable(),
  lastError: z.string().nullable(),
  /** A jam or cover alert stays until an operator handles it (RESET or acknowledge). */
  alert: DeviceAlert.nullable(),
  // Optional so that every driver's status parses while the fleet grows into them.
  driver: DriverName.optional(),
  /** The config's address, in the driver's own form. */
  address: z.string().optional(),
  capabilities: DeviceCapabilities.nullable().optional(),
  /** Wait-for-paper is on: the next batch starts when the feeder goes from empty to loaded. */
  waitForPaper: z.boolean().optional(),
  /** The batch waiting for paper on this scanner, if any. */
  waitingBatch: z.string().nullable().optional(),
});
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const SimulatorFault = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('jamAtPage'), page: z.number().int().positive() }),
  z.object({ kind: z.literal('dropMidPage'), page: z.number().int().positive() }),
  z.object({ kind: z.literal('corruptChecksum'), page: z.number().int().positive() }),
  z.object({ kind: z.literal('notTiffAtPage'), page: z.number().int().positive() }),
  /** A whole TIFF (its structure intact) that names a compression no reader knows: QC cannot decode it. */
  z.object({ kind: z.literal('undecodableAtPage'), page: z.number().int().positive() }),
  /** Sends page N twice, the second time with other bytes (a firmware that re-sends a page). */
  z.object({ kind: z.literal('duplicatePage'), page: z.number().int().positive() }),
  /** Right after page N's PAGE_END, in the same write, bytes that are no frame. */
  z.object({ kind: z.literal('garbageAfterPage'), page: z.number().int().positive() }),
  z.object({ kind: z.literal('slowFlush'), bytesPerSecond: z.number().int().positive() }),
  z.object({ kind: z.literal('byteAtATime') }),
  z.object({ kind: z.literal('statusStorm'), perSecond: z.number().int().min(1).max(1000) }),
  z.object({ kind: z.literal('clear') }),
]);
export type SimulatorFault = z.infer<typeof SimulatorFault>;

/** A scanner that failed batch after batch: no new batch starts on it until a person has looked. */
export const ScannerHold = z.object({
  /** Why, in words: "the last 3 batches on sim-3 were quarantined at capture (checksum mismatch)". */
  reason: z.string(),
  /** The batches of the run of failures, newest first. */
  batches: z.array(z.string()),
  since: z.string(),
});
export type ScannerHold = z.infer<typeof ScannerHold>;

/** What a scanner is working on, for the card built around the current job. */
export const DeviceWork = z.object({
  device: z.string(),
  current: z
    .object({
      batchId: z.string(),
      title: z.string(),
      pagesDone: z.number().int().nonnegative(),
      pagesExpected: z.number().int().positive().nullable(),
      /** The batch's own profile (its manifest), not the scanner's default. */
      profile: ScanProfile,
      /** The newest page kept, for the preview (null before the first). */
      lastPage: z.number().int().positive().nullable(),
      /** Over the batch's recent pages; null until two pages are in. */
      pagesPerMinute: z.number().nonnegative().nullable(),
      /** When the batch should finish capturing at that rate. */
      finishAt: z.string().nullable(),
    })
    .nullable(),
  /** Batches queued for this scanner behind the current one, first to run first. */
  waiting: z.array(z.string()),
  hold: ScannerHold.nullable(),
});
export type DeviceWork = z.infer<typeof DeviceWork>;

const ByName = z.object({ name: DeviceName }).strict();

export const devicesCommands = {
  'devices.list': command({
    input: z.object({}).strict(),
    output: z.array(DeviceStatus),
    access: 'operator',
    summary: 'Every scanner in the fleet with its live state.',
  }),
  'devices.add': command({
    input: DeviceConfig,
    output: DeviceStatus,
    access: 'supervisor',
    summary: 'Adds a scanner to the fleet and connects to it.',
  }),
  'devices.update': command({
    input: DeviceConfig,
    output: DeviceStatus,
    access: 'supervisor',
    summary:
      "Changes a scanner's driver, address, scan profile or wait-for-paper (not while it captures); driver options and a pinned certificate not named are kept.",
  }),
  'devices.remove': command({
    input: ByName,
    output: z.object({ removed: z.string() }),
    access: 'supervisor',
    summary: 'Removes a scanner from the fleet (not while it captures).',
  }),
  'devices.connect': command({
    input: ByName,
    output: DeviceStatus,
    access: 'operator',
    summary: 'Connects.',
  }),
  'devices.disconnect': command({
    input: ByName,
    output: DeviceStatus,
    access: 'operator',
    summary: 'Disconnects.',
  }),
  'devices.reset': command({
    input: ByName,
    output: DeviceStatus,
    access: 'operator',
    summary: 'Sends RESET after the operator cleared the feeder (rule 5).',
  }),
  'devices.acknowledgeAlert': command({
    input: ByName,
    output: z.object({ ok: z.literal(true) }),
    access: 'operator',
    summary: "Marks a device's alert as handled.",
  }),
  'devices.work': command({
    input: z.object({}).strict(),
    output: z.array(DeviceWork),
    access: 'operator',
    summary:
      "Each scanner's current batch (progress, profile, rate, finish), the batches waiting for it, and any hold.",
  }),
  'devices.acknowledgeHold': command({
    input: z.object({ name: DeviceName, note: z.string().trim().min(1).max(500) }).strict(),
    output: DeviceWork,
    access: 'operator',
    summary:
      'A person looked at a scanner held after repeated failures; new batches may start there again; audited.',
  }),
  'devices.injectFault': command({
    input: z.object({ name: DeviceName, fault: SimulatorFault }).strict(),
    output: z.object({ ok: z.literal(true) }),
    access: 'operator',
    summary: 'Injects a fault into a simulated scanner (simulators only).',
  }),
};

export const devicesEvents = {
  'device.status': event({ payload: DeviceStatus, coalesceKey: (d) => d.name }),
  'device.alert': event({ payload: DeviceAlert }),
  'device.removed': event({ payload: z.object({ name: z.string() }) }),
  'device.work': event({ payload: DeviceWork, coalesceKey: (w) => w.device }),
};
