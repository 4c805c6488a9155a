import { EventEmitter } from 'node:events';
import type { DeviceStatus } from '../../../shared/contract/index';
import { removePartFiles } from '../../storage/index';
import type {
  CaptureRequest,
  CaptureResult,
  Device,
  DeviceCapabilities,
  DeviceIdentity,
  DriverOptions,
} from '../device';
import { sequentialSink } from '../page-sink';
import { highestCompletedPage } from '../page-writer';
import { SaneBatchRun } from './sane-batch';
import { capabilitiesOf, scanArguments, type SaneOptions } from './sane-capabilities';
import {
  listSaneDevices,
  readSaneOptions,
  sameSaneDevice,
  ScanimageMissingError,
  type ScanimageRuntime,
} from './scanimage';

export const SANE_DRIVER = 'sane' as const;

type State = DeviceStatus['state'];

/** How often an unreachable device is looked for again while the station wants it connected. */
const OFFLINE_RETRY_MS = 30_000;
const OPTIONS_TIMEOUT_MS = 30_000;
const LIST_TIMEOUT_MS = 15_000;

/**
 * A SANE scanner (Linux), driven through Debian's `scanimage`. `address` is the SANE device
 * name (`test`, `fujitsu:fi-7160:1234`); `driverOptions` are backend options passed through to
 * every scan (e.g. `df-action=Stop` for double-feed detection on a Fujitsu).
 *
 * SANE has no connection to keep and no reset: `connect` reads the device's identity and options
 * (which also proves it is there), a jam or open cover leaves the device JAMMED with an alert
 * until the operator has cleared it and pressed reset, which only clears that state.
 */
export class SaneDevice extends EventEmitter implements Device {
  readonly name: string;
  private state: State = 'OFFLINE';
  private options: SaneOptions | null = null;
  private caps: DeviceCapabilities | null = null;
  private ident: DeviceIdentity | null = null;
  private adf: DeviceStatus['adf'] = null;
  private run: SaneBatchRun | null = null;
  private probing: Promise<boolean> | null = null;
  private connected = false;
  private lastError: string | null = null;
  private lastFault: DeviceStatus['lastFault'] = null;
  private alert: DeviceStatus['alert'] = null;
  private pageTimes: number[] = [];
  /** The job a capture holds the device for, from its first line (before scanimage runs). */
  private reservedFor: string | null = null;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: DriverOptions,
    private readonly runtime: ScanimageRuntime = {},
  ) {
    super();
    this.name = config.name;
  }

  connect(): void {
    this.connected = true;
    void this.probe();
  }

  disconnect(): void {
    this.connected = false;
    this.clearRetry();
    this.run?.cancel();
    this.setState('OFFLINE');
  }

  capabilities(): DeviceCapabilities | null {
    return this.caps;
  }

  identity(): DeviceIdentity | null {
    return this.ident;
  }

  /**
   * Reads the device's options (`-A`) and identity (`-L`). Resolves false, with lastError saying
   * why, when scanimage is missing or the device cannot be opened.
   */
  probe(): Promise<boolean> {
    this.probing ??= this.probeOnce().finally(() => (this.probing = null));
    return this.probing;
  }

  private async probeOnce(): Promise<boolean> {
    const address = this.config.address;
    if (this.state === 'OFFLINE') this.setState('CONNECTING');
    try {
      const [options, listed] = await Promise.all([
        readSaneOptions(address, this.runtime, OPTIONS_TIMEOUT_MS),
        // Listing asks every backend (network ones search for a while); identity is not worth more.
        listSaneDevices(this.runtime, LIST_TIMEOUT_MS).catch(() => []),
      ]);
      const entry = listed.find((d) => sameSaneDevice(d.name, address));
      this.options = options;
      this.caps = capabilitiesOf(options);
      // SANE reports vendor and model; serial and firmware only where a backend exposes them.
      this.ident = {
        driver: SANE_DRIVER,
        vendor: entry?.vendor ?? '',
        model: entry?.model ?? '',
        serial: options.get('serial')?.value ?? '',
        firmware: options.get('firmware')?.value ?? '',
      };
      this.lastError = null;
      if (!this.run && this.state !== 'JAMMED') this.setState(this.connected ? 'IDLE' : 'OFFLINE');
      else this.publish();
      return true;
    } catch (error) {
      this.lastError =
        error instanceof ScanimageMissingError
          ? error.message
          : `${address} could not be reached: ${(error as Error).message}`;
      if (!this.run) this.setState('OFFLINE');
      // A scanner switched off or unplugged comes back on its own: look again now and then.
      if (this.connected && !this.retry)
        this.retry = setTimeout(() => {
          this.retry = null;
          if (this.connected && !this.run && this.state === 'OFFLINE') void this.probe();
        }, OFFLINE_RETRY_MS).unref();
      return false;
    }
  }

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    const busyWith = this.run?.request.jobId ?? this.reservedFor;
    if (busyWith !== null)
      return failure(request.jobId, 'DEVICE_BUSY', `${this.name} is already capturing ${busyWith}`, true);
    if (this.state === 'JAMMED')
      return failure(request.jobId, 'JAMMED', `${this.name} is jammed: clear the feeder and reset`, false);
    // Reserved at once: one job at a time, even while the first is still reading options.
    this.reservedFor = request.jobId;
    try {
      return await this.captureOnce(request);
    } finally {
      this.reservedFor = null;
      this.run = null;
      if (this.state === 'CAPTURING') this.setState(this.connected ? 'IDLE' : 'OFFLINE');
      else this.publish();
    }
  }

  private async captureOnce(request: CaptureRequest): Promise<CaptureResult> {
    if (!this.options && !(await this.probe())) {
      const missing = this.lastError?.startsWith('scanimage was not found') ?? false;
      return failure(
        request.jobId,
        missing ? 'SCANIMAGE_MISSING' : 'OFFLINE',
        this.lastError ?? 'offline',
        !missing,
      );
    }
    const scan = scanArguments(this.config.address, this.options!, {
      dpi: request.dpi,
      mode: request.mode,
      bitDepth: request.bitDepth,
      source: request.source,
      driverOptions: { ...this.config.driverOptions, ...request.driverOptions },
    });
    if ('error' in scan) return failure(request.jobId, 'UNSUPPORTED_SETTINGS', scan.error, false);
    let run: SaneBatchRun;
    try {
      // Leftovers of an interrupted attempt are removed; completed pages stay and numbering continues.
      await removePartFiles(request.mastersDir);
      const sink =
        request.sink ?? sequentialSink(await highestCompletedPage(request.mastersDir), request.pages);
      run = new SaneBatchRun({
        device: this.config.address,
        name: this.name,
        args: scan.args,
        request,
        sink,
        runtime: this.runtime,
        logger: this.config.logger,
        feeder: scan.source !== 'flatbed',
        onPage: () => {
          this.pageTimes.push(Date.now());
          this.publish();
        },
        onProgress: () => this.publish(),
      });
      this.run = run;
      this.setState('CAPTURING');
      await run.start();
    } catch (error) {
      return failure(request.jobId, 'STAGING_WRITE_FAILED', (error as Error).message, false);
    }
    const result = await run.done;
    this.afterRun(result, run);
    return result;
  }

  private afterRun(result: CaptureResult, run: SaneBatchRun): void {
    const end = run.end;
    const at = new Date().toISOString();
    if (end?.feederEmpty) this.adf = 'EMPTY';
    else if (result.pages.length > 0) this.adf = null;
    if (end?.unreachable) {
      this.lastError = result.error?.message ?? null;
      this.state = 'OFFLINE';
    } else if (end) this.lastError = null;
    if (result.error?.code === 'SCANIMAGE_MISSING') this.lastError = result.error.message;
    if (end?.feederFault) {
      this.adf = end.feederFault.code === 'ADF_JAM' ? 'JAM' : this.adf;
      this.lastFault = { ...end.feederFault, at };
      this.alert = { device: this.name, ...end.feederFault, job: result.job, at };
      this.state = 'JAMMED';
      this.emit('alert', this.alert);
    } else if (result.error && result.status !== 'aborted' && result.error.code !== 'PAGES_MISSING') {
      this.lastFault = { code: result.error.code, message: result.error.message, at };
    }
  }

  async cancel(): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.cancel();
    await run.done;
  }

  /** Stops a running scanimage (its page in progress is dropped) before the station closes. */
  async close(): Promise<void> {
    this.connected = false;
    this.clearRetry();
    await this.cancel();
    this.setState('OFFLINE');
  }

  /** SANE has no reset: once the operator cleared the feeder, the device is usable again. */
  async reset(): Promise<void> {
    if (this.run) await this.run.done;
    this.alert = null;
    this.lastFault = null;
    if (this.adf === 'JAM') this.adf = null;
    this.state = 'OFFLINE';
    // Re-reading the options proves the scanner answers again before it is called free.
    const reachable = await this.probe();
    this.setState(reachable && this.connected ? 'IDLE' : 'OFFLINE');
  }

  acknowledgeAlert(): void {
    this.alert = null;
    this.publish();
  }

  status(): DeviceStatus {
    const now = Date.now();
    this.pageTimes = this.pageTimes.filter((t) => now - t < 60_000);
    const status: DeviceStatus & {
      driver: typeof SANE_DRIVER;
      address: string;
      capabilities: DeviceCapabilities | null;
    } = {
      name: this.name,
      host: this.config.address,
      port: 0,
      profile: this.config.profile,
      simulated: this.config.simulated ?? false,
      state: this.state,
      adf: this.adf,
      buffered: 0,
      flush: this.run ? 'capturing' : 'idle',
      job: this.run?.request.jobId ?? null,
      page: this.run?.currentPage ?? null,
      pagesPerMinute: this.pageTimes.length,
      breaker: 'closed',
      lastFault: this.lastFault,
      identity: this.ident
        ? {
            vendor: this.ident.vendor,
            model: this.ident.model,
            serial: this.ident.serial,
            firmware: this.ident.firmware,
          }
        : null,
      lastError: this.lastError,
      alert: this.alert,
      // The fleet's status names the driver, the address and what the device can do.
      driver: SANE_DRIVER,
      address: this.config.address,
      capabilities: this.caps,
    };
    return status;
  }

  private clearRetry(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private setState(state: State): void {
    this.state = state;
    this.publish();
  }

  private publish(): void {
    this.emit('status', this.status());
  }
}

function failure(job: string, code: string, message: string, transient: boolean): CaptureResult {
  return {
    job,
    status: 'failed',
    pages: [],
    checksumMismatches: [],
    protocolErrors: [],
    fault: null,
    error: { code, message, transient },
  };
}
