import path from 'node:path';
import type { DeviceConfig, DeviceStatus, SimulatorFault } from '../../shared/contract/index';
import type { AuditModule } from '../audit/module';
import type { CoreContext } from '../core/core-context';
import { conflict, invalidInput, notFound } from '../core/station-error';
import type { CaptureRequest, CaptureResult } from './capture-run';
import { FleetStore } from './fleet-store';
import { ScanLinkDevice } from './scanlink-device';
import { ScanLinkSimulator } from './simulator/simulator';
import { TraceRecorder } from './trace';

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
  get(name: string): ScanLinkDevice;
  add(config: DeviceConfig): DeviceStatus;
  update(config: DeviceConfig): DeviceStatus;
  remove(name: string): void;
  capture(name: string, request: CaptureRequest): Promise<CaptureResult>;
  reset(name: string): Promise<DeviceStatus>;
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
  const devices = new Map<string, ScanLinkDevice>();
  const simulators = new Map<string, ScanLinkSimulator>();
  const traces: TraceRecorder[] = [];

  const attach = (config: DeviceConfig, simulated: boolean): ScanLinkDevice => {
    const trace =
      process.env.QUIRE_TRACE === '1'
        ? new TraceRecorder(path.join(core.layout.traces, `${config.name}-${Date.now()}.jsonl`))
        : undefined;
    if (trace) traces.push(trace);
    const device = new ScanLinkDevice({
      config,
      simulated,
      logger: core.logger.child({ deviceId: config.name }),
      trace,
    });
    device.on('status', (status) => core.events.emit('device.status', status));
    device.on('alert', (alert) => {
      core.logger.warn({ deviceId: config.name, alert }, 'scanner alert');
      core.events.emit('device.alert', alert);
    });
    devices.set(config.name, device);
    device.connect();
    return device;
  };

  const mustGet = (name: string): ScanLinkDevice => {
    const device = devices.get(name);
    if (!device) throw notFound(`device ${name}`);
    return device;
  };

  const refuseWhileCapturing = (name: string) => {
    if (mustGet(name).status().flush !== 'idle')
      throw conflict(`${name} is capturing; wait until its job has finished`);
  };

  for (const config of store.all()) attach(config, false);
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
    if (!devices.has(name))
      attach({ name, host: '127.0.0.1', port, profile: { dpi: 300, mode: 'color', bitDepth: 8 } }, true);
  }

  return {
    list: () => [...devices.values()].map((d) => d.status()),
    get: mustGet,
    add(config) {
      if (devices.has(config.name) || !store.insert(config))
        throw conflict(`a device named ${config.name} already exists`);
      return attach(config, false).status();
    },
    update(config) {
      refuseWhileCapturing(config.name);
      if (simulators.has(config.name)) throw invalidInput('simulated devices are not configurable');
      store.update(config);
      mustGet(config.name).disconnect();
      return attach(config, false).status();
    },
    remove(name) {
      refuseWhileCapturing(name);
      if (simulators.has(name))
        throw invalidInput('simulated devices cannot be removed while the station runs them');
      mustGet(name).disconnect();
      devices.delete(name);
      store.remove(name);
      core.events.emit('device.removed', { name });
    },
    capture: (name, request) => mustGet(name).capture(request),
    async reset(name) {
      const device = mustGet(name);
      await device.reset();
      return device.status();
    },
    injectFault(name, fault) {
      const simulator = simulators.get(name);
      if (!simulator) throw invalidInput(`${name} is not a simulated scanner`);
      simulator.inject(fault);
    },
    simulator: (name) => simulators.get(name) ?? null,
    async close() {
      for (const device of devices.values()) device.disconnect();
      for (const simulator of simulators.values()) await simulator.stop();
      for (const trace of traces) await trace.close();
    },
  };
}
