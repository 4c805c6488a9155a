import type { AuditModule } from '../audit/module';
import type { CoreContext } from '../core/core-context';

export interface DevicesModuleOptions {
  audit: AuditModule;
  /** How many simulated ScanLink/1 scanners to start on loopback (npm start: 3; tests: 0). */
  simulators: number;
}

/** The scanner fleet as the station sees it (filled in by the scanner-link issue). */
export interface DevicesModule {
  close(): Promise<void>;
}

export async function createDevicesModule(
  core: CoreContext,
  options: DevicesModuleOptions,
): Promise<DevicesModule> {
  void core;
  void options;
  return { close: async () => {} };
}
