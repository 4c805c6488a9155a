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
import { ScanLinkSimulator } from './simulator/simulator';

export interface DevicesModuleOptions {
  audit: AuditModule;
  /** How many simulated ScanLink/1 scanners to start on loopback (npm start: 3; tests: 0). */
  simulators: number;
  /** Simulator pacing (the default app shows realistic timing; tests run flat out). */
  simulatorTiming?: { feedMs: number; captureMs: number; flushBytesPerSecond: number | null };
  /** Sheets in each simulator's feeder at start (default 50: "until the feeder is empty" ends). */
  simulatorSheets?: number;
}

/** The scanner fleet as the station sees it. */
export interface DevicesModule {
  list(): DeviceStatus[];
  get(name: string): Device;
  /** The device's stored config (simulators: the one they run with). */
  config(name: string): DeviceConfig;
  add(config: DeviceConfigInput): DeviceStatus;
  update(config: DeviceConfigInput): DeviceStatus;
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

  const attach = (config: DeviceConfig, device: Device): Device => {
    device.on('status', (status) => core.events.emit('device.status', status));
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
      sheets: null,
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

  return {
    list: () => [...devices.values()].map((d) => d.status()),
    get: mustGet,
    config(name) {
      const config = configs.get(name);
      if (!config) throw notFound(`device ${name}`);
      return config;
    },
    add(input) {
      const config = normalize(input);
      if (devices.has(config.name)) throw conflict(`a device named ${config.name} already exists`);
      const device = build(config, false);
      if (!store.insert(config)) throw conflict(`a device named ${config.name} already exists`);
      return attach(config, device).status();
    },
    update(input) {
      const config = normalize(input);
      refuseWhileCapturing(config.name);
      if (simulators.has(config.name)) throw invalidInput('simulated devices are not configurable');
      const device = build(config, false);
      store.update(config);
      void detach(config.name);
      return attach(config, device).status();
    },
    remove(name) {
      refuseWhileCapturing(name);
      if (simulators.has(name))
        throw invalidInput('simulated devices cannot be removed while the station runs them');
      mustGet(name);
      void detach(name);
      configs.delete(name);
      store.remove(name);
      core.events.emit('device.removed', { name });
    },
    capture: (name, request) => mustGet(name).capture(request),
    async reset(name) {
      const device = mustGet(name);
      await device.reset();
      return device.status();
    },
    acknowledgeAlert(name) {
      mustGet(name).acknowledgeAlert?.();
    },
    injectFault(name, fault) {
      const simulator = simulators.get(name);
      if (!simulator) throw invalidInput(`${name} is not a simulated scanner`);
      simulator.inject(fault);
    },
    simulator: (name) => simulators.get(name) ?? null,
    async close() {
      for (const name of [...devices.keys()]) await detach(name);
      for (const simulator of simulators.values()) await simulator.stop();
    },
  };
}
