import { EventEmitter } from 'node:events';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleType,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { DeviceStatus, ScanProfile } from '../../../shared/contract/index';
import { removePartFiles } from '../../storage/index';
import type {
  CaptureRequest,
  CaptureResult,
  Device,
  DeviceCapabilities,
  DeviceIdentity,
  DriverOptions,
  ScanMode,
} from '../device';
import { sequentialSink } from '../page-sink';
import { highestCompletedPage } from '../page-writer';
import { SHEET_IN_DOUBT } from '../sheet-in-doubt';
import { CaptureRun } from './capture-run';
import { parseJson, type Frame } from './codec';
import { ScanLinkConnection, type ConnectionOptions } from './connection';
import {
  EventKind,
  FaultEvent,
  FEEDER_FAULTS,
  Opcode,
  StatusEvent,
  type HelloEvent,
  type StatusEvent as Status,
} from './protocol';
import { parseScanLinkAddress } from './address';
import type { TraceRecorder } from './trace';

/** The host-and-port form tests and benches construct a ScanLink device with directly. */
export interface ScanLinkConfig {
  name: string;
  host: string;
  port: number;
  profile: ScanProfile;
}

/** ScanLink-only settings on top of what the fleet hands every driver. */
interface ScanLinkTuning {
  trace?: TraceRecorder;
  /** The device closes the trace when it is closed (the fleet made it for this device). */
  ownsTrace?: boolean;
  breakerThreshold?: number;
  breakerRecoveryMs?: number;
  /** How long capture waits for the device to come online and be free. */
  readyTimeoutMs?: number;
  connection?: Partial<ConnectionOptions>;
}

export type ScanLinkDeviceOptions = ScanLinkTuning &
  (
    | DriverOptions
    | (Omit<Partial<DriverOptions>, 'name' | 'address' | 'profile'> & { config: ScanLinkConfig })
  );

/** Resolutions a form offers; ScanLink accepts any whole dpi up to the scanner's maximum. */
const COMMON_RESOLUTIONS = [75, 100, 150, 200, 240, 300, 400, 600, 800, 1200, 2400];
const SCAN_MODES: readonly ScanMode[] = ['color', 'gray', 'bw'];

/** What a ScanLink/1 scanner's HELLO says it can do; the rest is what the protocol allows. */
export function capabilitiesFromHello(hello: HelloEvent): DeviceCapabilities {
  const modes = SCAN_MODES.filter((m) => hello.modes.includes(m));
  return {
    sources: ['feeder'],
    modes,
    // The protocol's depths: 1-bit only for black and white, 8 and 16 for gray and colour.
    bitDepths: [...(modes.includes('bw') ? [1 as const] : []), 8, 16],
    resolutions: COMMON_RESOLUTIONS.filter((dpi) => dpi <= hello.maxDpi),
    resolutionRange: { min: 1, max: hello.maxDpi },
    formats: ['tiff'],
    maxArea: null,
  };
}

/** A link-level failure (offline, dropped, stayed busy): what the circuit breaker counts. */
class LinkFailure extends Error {
  constructor(readonly result: CaptureResult) {
    super(result.error?.message ?? 'link failure');
  }
}

export class ScanLinkDevice extends EventEmitter implements Device {
  readonly name: string;
  readonly driver = 'scanlink';
  readonly address: string;
  private readonly host: string;
  private readonly port: number;
  private readonly profile: ScanProfile;
  private readonly conn: ScanLinkConnection;
  /** The last HELLO, kept while offline: capabilities and identity do not vanish with the link. */
  private lastHello: HelloEvent | null = null;
  private readonly breaker: CircuitBreakerPolicy;
  private lastStatus: Status | null = null;
  private run: CaptureRun | null = null;
  private lastFault: DeviceStatus['lastFault'] = null;
  private alert: DeviceStatus['alert'] = null;
  /**
   * A sheet in doubt (../sheet-in-doubt.ts): the scanner itself is not jammed, so the hold is
   * the station's, shown as JAMMED until a person puts the sheet back and resets.
   */
  private sheetHeld: string | null = null;
  private pageTimes: number[] = [];
  private waiters: Array<() => void> = [];

  constructor(private readonly options: ScanLinkDeviceOptions) {
    super();
    if ('config' in options) {
      this.name = options.config.name;
      this.host = options.config.host;
      this.port = options.config.port;
      this.profile = options.config.profile;
      this.address = `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
    } else {
      this.name = options.name;
      ({ host: this.host, port: this.port } = parseScanLinkAddress(options.address));
      this.profile = options.profile;
      this.address = options.address;
    }
    this.conn = new ScanLinkConnection({
      host: this.host,
      port: this.port,
      clientName: 'Quire',
      logger: options.logger,
      trace: options.trace,
      ...options.connection,
    });
    this.breaker = circuitBreaker(handleType(LinkFailure), {
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 3),
      halfOpenAfter: options.breakerRecoveryMs ?? 60_000,
    });
    this.breaker.onStateChange(() => this.publish());
    this.conn.on('frame', (frame: Frame) => this.onFrame(frame));
    this.conn.on('state', () => {
      if (this.conn.state !== 'online') this.lastStatus = null;
      this.publish();
      this.wake();
    });
    this.conn.on('lost', (reason: string) => this.run?.onConnectionLost(reason));
    this.conn.on('discarded', (frames: Frame[]) => this.run?.onDiscarded(frames));
    this.conn.on('hello', (hello: HelloEvent) => {
      this.lastHello = hello;
      this.publish();
    });
  }

  capabilities(): DeviceCapabilities | null {
    return this.lastHello && capabilitiesFromHello(this.lastHello);
  }

  /** Who the scanner said it is in its HELLO; null until it has answered once. */
  identity(): DeviceIdentity | null {
    const hello = this.lastHello;
    return hello
      ? {
          driver: this.driver,
          vendor: hello.vendor,
          model: hello.model,
          serial: hello.serial,
          firmware: hello.firmware,
        }
      : null;
  }

  connect(): void {
    this.conn.start();
  }

  disconnect(): void {
    this.conn.stop();
  }

  async close(): Promise<void> {
    this.conn.stop();
    if (this.options.ownsTrace) await this.options.trace?.close();
  }

  /**
   * Free for the next CAPTURE (rule 1): online, not capturing, the scanner READY or IDLE with
   * nothing buffered, and no bytes of the connection left unparsed.
   */
  isFree(): boolean {
    const s = this.lastStatus;
    return (
      this.conn.state === 'online' &&
      this.run === null &&
      s !== null &&
      s.buffered === 0 &&
      (s.state === 'READY' || s.state === 'IDLE') &&
      this.conn.unparsedBytes === 0
    );
  }

  async capture(request: CaptureRequest): Promise<CaptureResult> {
    if (request.source && request.source !== 'feeder') {
      return failure(
        request.jobId,
        'UNSUPPORTED_SOURCE',
        `${this.name} scans only from its feeder; it has no ${request.source}`,
        false,
      );
    }
    if (this.run) {
      return failure(
        request.jobId,
        'DEVICE_BUSY',
        `${this.name} is already capturing ${this.run.request.jobId}`,
        true,
      );
    }
    try {
      return await this.breaker.execute(async () => {
        const result = await this.captureOnce(request);
        if (
          result.status === 'interrupted' ||
          result.error?.code === 'OFFLINE' ||
          result.error?.code === 'BUSY'
        ) {
          throw new LinkFailure(result);
        }
        return result;
      });
    } catch (error) {
      if (error instanceof LinkFailure) return error.result;
      if (error instanceof BrokenCircuitError) {
        return failure(
          request.jobId,
          'CIRCUIT_OPEN',
          `${this.name} failed repeatedly; waiting before trying again`,
          true,
        );
      }
      throw error;
    }
  }

  private async captureOnce(request: CaptureRequest): Promise<CaptureResult> {
    if (this.sheetHeld)
      return failure(
        request.jobId,
        'JAMMED',
        `${this.name} holds a sheet in doubt: ${this.sheetHeld}`,
        false,
      );
    const ready = await this.waitUntil(
      () => this.isFree() || this.lastStatus?.state === 'JAMMED',
      this.options.readyTimeoutMs ?? 15_000,
    );
    if (this.lastStatus?.state === 'JAMMED') {
      return failure(request.jobId, 'JAMMED', `${this.name} is jammed: clear the feeder and RESET`, false);
    }
    if (!ready) {
      const why = this.conn.state !== 'online' ? 'OFFLINE' : 'BUSY';
      return failure(
        request.jobId,
        why,
        `${this.name} is ${why === 'OFFLINE' ? 'not connected' : 'not free'}`,
        true,
      );
    }
    // Leftovers of an interrupted attempt are removed; completed pages stay and numbering continues.
    await removePartFiles(request.mastersDir);
    const sink =
      request.sink ?? sequentialSink(await highestCompletedPage(request.mastersDir), request.pages);
    const run = new CaptureRun(
      this.conn,
      request,
      sink,
      () => {
        this.pageTimes.push(Date.now());
        this.publish();
      },
      this.name,
    );
    this.run = run;
    this.publish();
    run.start();
    try {
      const result = await run.done;
      if (result.fault?.code === SHEET_IN_DOUBT) this.holdSheetInDoubt(request.jobId, result.fault);
      return result;
    } finally {
      this.run = null;
      this.publish();
      this.wake();
    }
  }

  private holdSheetInDoubt(job: string, fault: { code: string; message: string }): void {
    const at = new Date().toISOString();
    this.sheetHeld = fault.message;
    this.lastFault = { ...fault, at };
    this.alert = { device: this.name, ...fault, job, at };
    this.emit('alert', this.alert);
  }

  /** For `quire probe`: the scanner's HELLO and last STATUS as it sent them. */
  probeDetails(): Record<string, unknown> {
    return { hello: this.lastHello, scannerStatus: this.lastStatus };
  }

  /** Aborts the running job and resolves once it has ended; pages already named stay. */
  async cancel(): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.abort();
    await run.done;
  }

  async reset(): Promise<void> {
    if (!this.conn.send(Opcode.RESET)) throw new Error(`${this.name} is not connected`);
    this.conn.send(Opcode.STATUS);
    await this.waitUntil(() => this.lastStatus !== null && this.lastStatus.state !== 'JAMMED', 5000);
    this.sheetHeld = null;
    this.lastFault = null;
    this.alert = null;
    this.publish();
  }

  acknowledgeAlert(): void {
    this.alert = null;
    this.publish();
  }

  private onFrame(frame: Frame): void {
    try {
      if (frame.type === EventKind.STATUS) {
        this.lastStatus = StatusEvent.parse(parseJson(frame.payload));
        this.run?.onStatus(this.lastStatus);
        this.publish();
        this.wake();
        return;
      }
      if (frame.type === EventKind.FAULT) {
        const fault = FaultEvent.parse(parseJson(frame.payload));
        if (fault.code !== 'BUSY') {
          this.lastFault = { code: fault.code, message: fault.message, at: new Date().toISOString() };
          if (FEEDER_FAULTS.has(fault.code)) {
            const at = new Date().toISOString();
            this.alert = { device: this.name, code: fault.code, message: fault.message, job: fault.job, at };
            this.emit('alert', this.alert);
          }
        }
      }
      this.run?.onFrame(frame);
    } catch (error) {
      // A malformed event from the scanner is a protocol violation: drop the link and start over.
      // It is dropped unread like the rest of its read (a malformed PAGE_END ends a page the
      // scanner counts as sent): the run decides whether a sheet is in doubt.
      this.options.logger?.warn({ device: this.name, err: error }, 'malformed ScanLink event');
      this.run?.onDiscarded([frame]);
      this.conn.stop('a malformed event from the scanner');
      this.conn.start();
    }
  }

  status(): DeviceStatus {
    const link = this.conn.state;
    const s = this.lastStatus;
    const now = Date.now();
    this.pageTimes = this.pageTimes.filter((t) => now - t < 60_000);
    const flushing =
      (this.run?.jobEnded ?? false) ||
      (s !== null && s.buffered > 0 && (s.state === 'READY' || s.state === 'FLUSHING'));
    const identity = this.identity();
    return {
      name: this.name,
      host: this.host,
      port: this.port,
      profile: this.profile,
      simulated: this.options.simulated ?? false,
      state: this.sheetHeld
        ? 'JAMMED'
        : link === 'offline'
          ? 'OFFLINE'
          : link === 'connecting' || !s
            ? 'CONNECTING'
            : s.state,
      adf: s?.adf ?? null,
      buffered: s?.buffered ?? 0,
      flush: flushing ? 'flushing' : this.run ? 'capturing' : 'idle',
      job: this.run?.request.jobId ?? s?.job ?? null,
      page: this.run?.currentPage ?? null,
      pagesPerMinute: this.pageTimes.length,
      breaker:
        this.breaker.state === CircuitState.Open || this.breaker.state === CircuitState.Isolated
          ? 'open'
          : this.breaker.state === CircuitState.HalfOpen
            ? 'half-open'
            : 'closed',
      lastFault: this.lastFault,
      identity: identity && {
        vendor: identity.vendor,
        model: identity.model,
        serial: identity.serial,
        firmware: identity.firmware,
      },
      lastError: this.conn.lastError,
      alert: this.alert,
      driver: 'scanlink',
      address: this.address,
      capabilities: this.capabilities(),
    };
  }

  private publish(): void {
    this.emit('status', this.status());
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  /** Resolves true once the condition holds (re-checked on every status change), false on timeout. */
  private waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const check = () => {
        if (condition()) {
          clearTimeout(timer);
          resolve(true);
        } else {
          this.waiters.push(check);
        }
      };
      this.waiters.push(check);
    });
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
