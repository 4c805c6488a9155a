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
import { sleep } from './backoff';
import { parseCapabilities, toDeviceCapabilities, type EsclCapabilities } from './capabilities';
import { EsclHttp, parseEsclAddress, type HttpTimeouts } from './http';
import { EsclJobRun, type RetryTuning } from './job-run';
import { planScan } from './plan';
import { parseStatus, type EsclStatus } from './scanner-status';

export interface EsclTuning extends RetryTuning, HttpTimeouts {
  /** How often ScannerStatus is read while connected. */
  pollMs: number;
  /** How long reset() waits for the scanner to report the jam cleared. */
  resetTimeoutMs: number;
}

export const DEFAULT_ESCL_TUNING: EsclTuning = {
  retryBaseMs: 500,
  retryCapMs: 30_000,
  maxBusyRetries: 30,
  notFoundRetries: 5,
  headersTimeoutMs: 300_000,
  bodyTimeoutMs: 60_000,
  pollMs: 2000,
  resetTimeoutMs: 30_000,
};

/** Devices (by origin) with a job running: some eSCL servers crash when given two. */
const originsScanning = new Set<string>();

const ADF: Record<string, DeviceStatus['adf']> = {
  loaded: 'LOADED',
  processing: 'LOADED',
  empty: 'EMPTY',
  jam: 'JAM',
};

/**
 * A network scanner speaking eSCL (AirScan) over HTTP(S). Capabilities and identity come from
 * the device's ScannerCapabilities; state from ScannerStatus, read every few seconds while
 * connected. A jam stays latched (state JAMMED, alert) until the operator clears the feeder and
 * presses RESET, which here waits for the scanner to report its feeder clear.
 */
export class EsclDevice extends EventEmitter implements Device {
  readonly name: string;
  private readonly http: EsclHttp;
  private readonly tuning: EsclTuning;
  private caps: EsclCapabilities | null = null;
  private lastStatus: EsclStatus | null = null;
  private connected = false;
  private reachable: boolean | null = null;
  private lastError: string | null = null;
  private run: EsclJobRun | null = null;
  private runDone: Promise<CaptureResult> | null = null;
  private jobPath: string | null = null;
  private jam: string | null = null;
  private alert: DeviceStatus['alert'] = null;
  private lastFault: DeviceStatus['lastFault'] = null;
  private pageTimes: number[] = [];
  private poller: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: DriverOptions,
    tuning: Partial<EsclTuning> = {},
  ) {
    super();
    this.name = options.name;
    this.tuning = { ...DEFAULT_ESCL_TUNING, ...tuning };
    this.http = new EsclHttp(parseEsclAddress(options.address), {
      pinnedCertificateSha256: options.pinnedCertificateSha256,
      headersTimeoutMs: this.tuning.headersTimeoutMs,
      bodyTimeoutMs: this.tuning.bodyTimeoutMs,
    });
  }

  connect(): void {
    if (this.connected) return;
    this.connected = true;
    this.publish();
    const tick = async () => {
      await this.refresh();
      if (this.connected) this.poller = setTimeout(() => void tick(), this.tuning.pollMs).unref();
    };
    void tick();
  }

  disconnect(): void {
    this.connected = false;
    if (this.poller) clearTimeout(this.poller);
    this.poller = null;
    this.publish();
  }

  /** Stops polling and closes the device's connections. */
  async close(): Promise<void> {
    this.disconnect();
    await this.cancel();
    await this.http.close();
  }

  capabilities(): DeviceCapabilities | null {
    return this.caps && toDeviceCapabilities(this.caps);
  }

  identity(): DeviceIdentity | null {
    const c = this.caps;
    return c && { driver: 'escl', vendor: c.make, model: c.model, serial: c.serial, firmware: c.firmware };
  }

  /** What `quire probe` shows beyond the neutral facts: the device's own words, per source. */
  probeDetails(): Record<string, unknown> {
    const c = this.caps;
    return {
      driver: 'escl',
      address: this.options.address,
      uuid: c?.uuid ?? null,
      scannerState: this.lastStatus?.state ?? null,
      adfState: this.lastStatus?.adfState ?? null,
      sources:
        c?.sources.map((s) => ({
          source: s.source,
          colorModes: s.colorModes,
          documentFormats: s.mimeTypes,
          resolutions: s.resolutions,
          maxWidthThreeHundredthsInch: s.maxWidth,
          maxHeightThreeHundredthsInch: s.maxHeight,
        })) ?? [],
    };
  }

  /** Reads capabilities (once) and status; marks the device unreachable when it does not answer. */
  async refresh(): Promise<void> {
    try {
      if (!this.caps) await this.loadCapabilities();
      await this.readStatus();
    } catch (error) {
      this.noteUnreachable(error);
    }
  }

  private async loadCapabilities(): Promise<EsclCapabilities> {
    const res = await this.http.getText(this.http.rootPath('ScannerCapabilities'));
    if (res.status !== 200) throw new Error(`ScannerCapabilities answered HTTP ${res.status}`);
    this.caps = parseCapabilities(res.text);
    return this.caps;
  }

  private async readStatus(signal?: AbortSignal): Promise<EsclStatus> {
    const res = await this.http.getText(this.http.rootPath('ScannerStatus'), signal);
    if (res.status !== 200) {
      // It answered, so it is reachable; busy devices answer 503 even to a status request.
      this.lastError = `ScannerStatus answered HTTP ${res.status}`;
      this.publish();
      throw new AnsweredError(this.lastError);
    }
    const status = parseStatus(res.text);
    this.lastStatus = status;
    this.reachable = true;
    this.lastError = null;
    this.publish();
    return status;
  }

  private noteUnreachable(error: unknown): void {
    if (error instanceof AnsweredError) return;
    this.reachable = false;
    this.lastStatus = null;
    this.lastError = (error as Error).message;
    this.options.logger?.warn({ device: this.name, err: error }, 'eSCL scanner did not answer');
    this.publish();
  }

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    const origin = this.http.address.origin;
    if (this.run || originsScanning.has(origin))
      return failure(request.jobId, 'DEVICE_BUSY', `${this.name} is already running a scan job`, true);
    if (this.jam)
      return failure(request.jobId, 'JAMMED', `${this.name} is jammed: clear the feeder and RESET`, false);
    originsScanning.add(origin);
    try {
      let caps: EsclCapabilities;
      try {
        caps = this.caps ?? (await this.loadCapabilities());
      } catch (error) {
        this.noteUnreachable(error);
        // Not a network failure: retrying will not help until an operator pins the certificate.
        if ((error as Error).name === 'UntrustedCertificateError')
          return failure(
            request.jobId,
            'CERTIFICATE_NOT_TRUSTED',
            `${this.name}: ${(error as Error).message}`,
            false,
          );
        return failure(
          request.jobId,
          'OFFLINE',
          `${this.name} did not answer: ${(error as Error).message}`,
          true,
        );
      }
      const plan = planScan(caps, request);
      if (!plan.ok) return failure(request.jobId, plan.code, `${this.name}: ${plan.message}`, false);
      // Leftovers of an interrupted attempt are removed; completed pages stay and numbering continues.
      await removePartFiles(request.mastersDir);
      const sink =
        request.sink ?? sequentialSink(await highestCompletedPage(request.mastersDir), request.pages);
      const run = new EsclJobRun(
        this.http,
        plan.settings,
        request,
        sink,
        this.tuning,
        {
          readStatus: (signal) => this.readStatus(signal).catch(() => null),
          onPage: () => {
            this.pageTimes.push(Date.now());
            this.publish();
          },
          onPageStart: () => this.publish(),
          onJob: (jobPath) => {
            this.jobPath = jobPath;
            this.publish();
          },
        },
        this.name,
      );
      this.run = run;
      this.runDone = run.run();
      this.publish();
      const result = await this.runDone;
      // A fault holds the feeder even when the job failed for another reason (a page that could
      // not be kept, with sheets fed after it: ../sheet-in-doubt.ts).
      if (result.status === 'jammed' || result.fault)
        this.latchJam(request.jobId, result.fault ?? { code: 'ADF_JAM', message: 'feeder jam' });
      if (result.error && result.status !== 'complete')
        this.options.logger?.warn(
          { device: this.name, job: request.jobId, error: result.error },
          'eSCL capture ended',
        );
      return result;
    } finally {
      originsScanning.delete(origin);
      this.run = null;
      this.runDone = null;
      this.publish();
    }
  }

  /** A jam, or another feeder fault a person must clear (a sheet in doubt). */
  private latchJam(job: string, fault: { code: string; message: string }): void {
    const at = new Date().toISOString();
    this.jam = fault.message;
    this.lastFault = { ...fault, at };
    this.alert = { device: this.name, ...fault, job, at };
    this.emit('alert', this.alert);
    this.publish();
  }

  async cancel(): Promise<void> {
    const done = this.runDone;
    this.run?.cancel();
    if (done) await done;
  }

  /**
   * eSCL has no reset: once the operator has cleared the feeder, this waits for the scanner to
   * report it clear, then lifts the jam so the batch resumes.
   */
  async reset(): Promise<void> {
    if (this.run) throw new Error(`${this.name} is capturing; cancel the job first`);
    const deadline = Date.now() + this.tuning.resetTimeoutMs;
    for (;;) {
      const status = await this.readStatus().catch((error: unknown) => {
        throw new Error(`${this.name} did not answer: ${(error as Error).message}`);
      });
      if (status.adf !== 'jam' && status.adf !== 'open') break;
      if (Date.now() > deadline)
        throw new Error(`${this.name} still reports ${status.adfState}: clear the feeder, then RESET again`);
      await sleep(Math.min(this.tuning.pollMs, 500));
    }
    this.jam = null;
    this.alert = null;
    this.lastFault = null;
    this.publish();
  }

  acknowledgeAlert(): void {
    this.alert = null;
    this.publish();
  }

  status(): DeviceStatus {
    const s = this.lastStatus;
    const now = Date.now();
    this.pageTimes = this.pageTimes.filter((t) => now - t < 60_000);
    const identity = this.identity();
    return {
      name: this.name,
      host: this.http.address.host,
      port: this.http.address.port,
      profile: this.options.profile,
      simulated: this.options.simulated ?? false,
      state: this.state(),
      adf: s?.adf ? (ADF[s.adf] ?? null) : null,
      buffered: 0,
      flush: this.run ? 'capturing' : 'idle',
      job: this.run?.request.jobId ?? null,
      page: this.run?.currentPage ?? null,
      pagesPerMinute: this.pageTimes.length,
      breaker: 'closed',
      lastFault: this.lastFault,
      identity: identity && {
        vendor: identity.vendor,
        model: identity.model,
        serial: identity.serial,
        firmware: identity.firmware,
      },
      lastError: this.lastError,
      alert: this.alert,
    };
  }

  private state(): DeviceStatus['state'] {
    if (this.jam || this.lastStatus?.adf === 'jam') return 'JAMMED';
    if (this.run) return 'CAPTURING';
    if (!this.connected && this.reachable === null) return 'OFFLINE';
    if (this.reachable === false) return 'OFFLINE';
    const s = this.lastStatus;
    if (!s) return 'CONNECTING';
    switch (s.state) {
      case 'Idle':
        return 'IDLE';
      case 'Processing':
        return 'CAPTURING';
      case 'Stopped':
      case 'Down':
        return 'ERROR';
      default:
        return 'IDLE';
    }
  }

  private publish(): void {
    this.emit('status', this.status());
  }
}

/** The device answered, but not with what was asked for: it is reachable. */
class AnsweredError extends Error {}

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
