import type { DeviceStatus, SimulatorFault } from '../../shared/contract/index';
import type { CoreContext } from '../core/core-context';
import { forbidden, invalidInput } from '../core/station-error';
import type { DevicesModule } from '../scanner/module';
import { ScanLinkSimulator } from '../scanner/simulator/simulator';
import type { SettingsStore } from '../settings/settings-store';

/** Names of the practice scanners: never used for a real one, so a leftover can be recognised. */
export const TRAINING_PREFIX = 'training-sim-';

/**
 * Training and demos: a supervisor adds simulated scanners and makes them jam or corrupt a
 * page, so a new operator can practise the recovery. Everything here is refused unless the
 * station's training mode is on (off by default, and on a production station).
 */
export interface TrainingModule {
  addSimulator(): Promise<DeviceStatus>;
  injectFault(name: string, fault: SimulatorFault): void;
  simulators(): string[];
  close(): Promise<void>;
}

export function createTrainingModule(
  core: CoreContext,
  deps: { settings: SettingsStore; devices: DevicesModule },
): TrainingModule {
  const running = new Map<string, ScanLinkSimulator>();
  const requireTraining = () => {
    if (!deps.settings.get().trainingMode)
      throw forbidden('training mode is off on this station; a supervisor turns it on in Settings');
  };
  // Practice scanners live only as long as the station that started them: one left in the fleet
  // by a crash points at a port nobody serves, so it goes at start.
  for (const device of deps.devices.list())
    if (device.name.startsWith(TRAINING_PREFIX)) deps.devices.remove(device.name);

  return {
    async addSimulator() {
      requireTraining();
      let n = 1;
      while (running.has(`${TRAINING_PREFIX}${n}`)) n++;
      const name = `${TRAINING_PREFIX}${n}`;
      const simulator = new ScanLinkSimulator({
        sheets: null,
        serial: `TRAIN-${n}`,
        feedMs: 300,
        captureMs: 300,
        flushBytesPerSecond: null,
        pageWidthInches: 4,
        pageHeightInches: 6,
      });
      const port = await simulator.start();
      running.set(name, simulator);
      try {
        const status = deps.devices.add({
          name,
          host: '127.0.0.1',
          port,
          profile: { dpi: 300, mode: 'color', bitDepth: 8 },
        });
        core.logger.info({ deviceId: name, port }, 'training scanner added');
        return status;
      } catch (error) {
        running.delete(name);
        await simulator.stop();
        throw error;
      }
    },
    injectFault(name, fault) {
      requireTraining();
      const simulator = running.get(name);
      if (simulator) simulator.inject(fault);
      else if (deps.devices.simulator(name)) deps.devices.injectFault(name, fault);
      else throw invalidInput(`${name} is not a simulated scanner; faults are only for practice scanners`);
      core.logger.info({ deviceId: name, fault }, 'training fault injected');
    },
    simulators: () => [
      ...deps.devices
        .list()
        .map((d) => d.name)
        .filter((name) => running.has(name) || deps.devices.simulator(name) !== null),
    ],
    async close() {
      for (const [name, simulator] of running) {
        try {
          deps.devices.remove(name);
        } catch (error) {
          core.logger.warn({ err: error, deviceId: name }, 'training scanner could not be removed');
        }
        await simulator.stop();
      }
      running.clear();
    },
  };
}
