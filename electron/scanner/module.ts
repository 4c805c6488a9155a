import {
  DeviceConfig,
  type DeviceConfigInput,
  type DeviceStatus,
  type SimulatorFault,
} from '../../shared/contract/index';
import type { AuditModule } from '../audit/module';
import type { CoreContext } from '../core/core-context';
import { conflict, invalidInput, notFound } from '../core/station-error';
import type { CaptureRequest, CaptureResult, Device } from './device';
import { createDevice } from './fleet';
import { FleetStore } from './fleet-store';
import { startEsclSimulator, type EsclSimulator } from './simulator/escl/index';
import { ScanLinkSimulator } from './simulator/simulator';

export interface DevicesModuleOptions {
  audit: AuditModule;
  /** How many simulated ScanLink/1 scanners to start on loopback (npm start: 3; tests: 0). */
  simulators: number;
  /** Simulator pacing (the default app shows realistic timing; tests run flat out). */
  simulatorTiming?: { feedMs: number; captureMs: number; flushBytesPerSecond: number | null };
  /**
   * Sheets in each simulator's feeder at start. Default: a feeder that never empties (the app's
   * simulators run all day); `quire batch run` loads the batch's expected pages, or 10, so that
   * a batch read until the feeder is empty ends.
   */
  simulatorSheets?: number;
  /** Simulated eSCL scanners to start beside the ScanLink ones (`sim-escl`, `sim-escl-2`, …). */
  esclSimulators?: number;
}

/** The scanner fleet as the station sees it. */
export interface DevicesModule {
  list(): DeviceStatus[];
  get(name: string): Device;
  /** The device's stored config (simulators: the one they run with). */
  config(name: string): DeviceConfig;
  /** `by`: who asked (audited when the config turns wait-for-paper on or off). */
  add(config: DeviceConfigInput, by?: string): DeviceStatus;
  update(config: DeviceConfigInput, by?: string): DeviceStatus;
  /** The batch waiting for paper on this scanner (shown on its card), or null when none waits. */
  setWaitingBatch(name: string, batchId: string | null): void;
  remove(name: string): void;
  capture(name: string, request: CaptureRequest): Promise<CaptureResult>;
  reset(name: string): Promise<DeviceStatus>;
  acknowledgeAlert(name: string): void;
  injectFault(name: string, fault: SimulatorFault): void;
  /** The simulator behind a simulated device (tests and the default station load sheets into it). */
  simulator(name: string): ScanLinkSimulator | null;
  close(): Promise<void>;
}

export async function createDevicesModule(
  core: CoreContext,
  options: DevicesModuleOptions,
): Promise<DevicesModule> {
  const store = new FleetStore(core.db);
  const devices = new Map<string, Device>();
  const configs = new Map<string, DeviceConfig>();
  const simulators = new Map<string, ScanLinkSimulator>();
  const esclSimulators = new Map<string, EsclSimulator>();
  const isSimulated = (name: string) => simulators.has(name) || esclSimulators.has(name);

  /** Parses a submitted config (either form) and checks the fleet can build its driver. */
  const normalize = (input: DeviceConfigInput): DeviceConfig => {
    const parsed = DeviceConfig.safeParse(input);
    if (!parsed.success) throw invalidInput(`invalid device config: ${parsed.error.message}`);
    return parsed.data;
  };

  const build = (config: DeviceConfig, simulated: boolean): Device => {
    try {
      return createDevice(config, {
        simulated,
        logger: core.logger.child({ deviceId: config.name }),
        tracesDir: core.layout.traces,
      });
    } catch (error) {
      throw invalidInput(`${config.name}: ${(error as Error).message}`);
    }
  };

  const waiting = new Map<string, string>();
  /** The device's own status plus what the station adds: its wait-for-paper setting and waiting batch. */
  const decorate = (name: string, status: DeviceStatus): DeviceStatus => ({
    ...status,
    waitForPaper: configs.get(name)?.waitForPaper ?? false,
    waitingBatch: waiting.get(name) ?? null,
  });
  const statusOf = (name: string) => decorate(name, mustGet(name).status());

  /** Wait-for-paper is a lab's choice per scanner: turning it on or off is in the audit log. */
  const auditWaitForPaper = (before: DeviceConfig | undefined, after: DeviceConfig, by: string) => {
    const was = before?.waitForPaper ?? false;
    const now = after.waitForPaper ?? false;
    if (was === now) return;
    options.audit.record({
      type: 'ingestion',
      outcome: now ? 'wait for paper on' : 'wait for paper off',
      detail: now
        ? `${after.name}: the next batch for this scanner starts when paper is loaded into its feeder`
        : `${after.name}: batches start as soon as they are created`,
      object: `device:${after.name}`,
      person: by,
    });
  };

  const attach = (config: DeviceConfig, device: Device): Device => {
    device.on('status', (status) => core.events.emit('device.status', decorate(config.name, status)));
    device.on('alert', (alert) => {
      core.logger.warn({ deviceId: config.name, alert }, 'scanner alert');
      core.events.emit('device.alert', alert);
    });
    devices.set(config.name, device);
    configs.set(config.name, config);
    device.connect();
    return device;
  };

  const detach = async (name: string) => {
    const device = devices.get(name);
    devices.delete(name);
    device?.disconnect();
    await device?.close?.();
  };

  const mustGet = (name: string): Device => {
    const device = devices.get(name);
    if (!device) throw notFound(`device ${name}`);
    return device;
  };

  const refuseWhileCapturing = (name: string) => {
    if (mustGet(name).status().flush !== 'idle')
      throw conflict(`${name} is capturing; wait until its job has finished`);
  };

  for (const config of store.all()) {
    try {
      attach(config, build(config, false));
    } catch (error) {
      // A stored device whose driver this station lacks stays stored, untouched, and is reported.
      core.logger.error({ deviceId: config.name, err: error }, 'a configured scanner cannot be built');
    }
  }
  const timing = options.simulatorTiming ?? { feedMs: 0, captureMs: 0, flushBytesPerSecond: null };
  for (let i = 1; i <= options.simulators; i++) {
    const name = `sim-${i}`;
    const simulator = new ScanLinkSimulator({
      sheets: options.simulatorSheets ?? null,
      serial: `SIM-${i}`,
      ...timing,
      pageWidthInches: 4,
      pageHeightInches: 6,
    });
    const port = await simulator.start();
    simulators.set(name, simulator);
    if (!devices.has(name)) {
      const config: DeviceConfig = {
        name,
        driver: 'scanlink',
        address: `127.0.0.1:${port}`,
        profile: { dpi: 300, mode: 'color', bitDepth: 8 },
      };
      attach(config, build(config, true));
    }
  }

  for (let i = 1; i <= (options.esclSimulators ?? 0); i++) {
    const name = i === 1 ? 'sim-escl' : `sim-escl-${i}`;
    const simulator = await startEsclSimulator({
      sheets: options.simulatorSheets ?? null,
      serial: `SIM-ESCL-${i}`,
      pageWidthInches: 4,
      pageHeightInches: 6,
    });
    esclSimulators.set(name, simulator);
    if (!devices.has(name)) {
      const config: DeviceConfig = {
        name,
        driver: 'escl',
        address: simulator.url,
        profile: { dpi: 300, mode: 'color', bitDepth: 8 },
      };
      attach(config, build(config, true));
    }
  }

  return {
    list: () => [...devices.keys()].map(statusOf),
    get: mustGet,
    config(name) {
      const config = configs.get(name);
      if (!config) throw notFound(`device ${name}`);
      return config;
    },
    add(input, by = 'system') {
      const config = normalize(input);
      if (devices.has(config.name)) throw conflict(`a device named ${config.name} already exists`);
      const device = build(config, false);
      if (!store.insert(config)) throw conflict(`a device named ${config.name} already exists`);
      attach(config, device);
      auditWaitForPaper(undefined, config, by);
      return statusOf(config.name);
    },
    update(input, by = 'system') {
      refuseWhileCapturing(normalize(input).name);
      const before = configs.get(normalize(input).name);
      // Driver options and a pinned certificate are kept unless the update names them: a form
      // that edits the address or the profile never drops what it does not show.
      const config: DeviceConfig = {
        ...(before?.driverOptions ? { driverOptions: before.driverOptions } : {}),
        ...(before?.pinnedCertificateSha256
          ? { pinnedCertificateSha256: before.pinnedCertificateSha256 }
          : {}),
        ...normalize(input),
      };
      const simulated = isSimulated(config.name);
      // A simulator's address is the station's own; its profile and wait-for-paper may change (not stored).
      if (simulated && (config.driver !== before?.driver || config.address !== before?.address))
        throw invalidInput('a simulated device keeps its driver and address');
      const device = build(config, simulated);
      if (!simulated) store.update(config);
      void detach(config.name);
      attach(config, device);
      auditWaitForPaper(before, config, by);
      return statusOf(config.name);
    },
    setWaitingBatch(name, batchId) {
      mustGet(name);
      if (batchId) waiting.set(name, batchId);
      else waiting.delete(name);
      core.events.emit('device.status', statusOf(name));
    },
    remove(name) {
      refuseWhileCapturing(name);
      if (isSimulated(name))
        throw invalidInput('simulated devices cannot be removed while the station runs them');
      mustGet(name);
      void detach(name);
      configs.delete(name);
      store.remove(name);
      core.events.emit('device.removed', { name });
    },
    capture: (name, request) => mustGet(name).capture(request),
    async reset(name) {
      await mustGet(name).reset();
      return statusOf(name);
    },
    acknowledgeAlert(name) {
      mustGet(name).acknowledgeAlert?.();
    },
    injectFault(name, fault) {
      const escl = esclSimulators.get(name);
      if (escl) {
        if (!escl.injectContractFault(fault))
          throw invalidInput(`${name} (eSCL) has no form of the fault ${fault.kind}`);
        return;
      }
      const simulator = simulators.get(name);
      if (!simulator) throw invalidInput(`${name} is not a simulated scanner`);
      simulator.inject(fault);
    },
    simulator: (name) => simulators.get(name) ?? null,
    async close() {
      for (const name of [...devices.keys()]) await detach(name);
      for (const simulator of simulators.values()) await simulator.stop();
      for (const simulator of esclSimulators.values()) await simulator.stop();
    },
  };
}
