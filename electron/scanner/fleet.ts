import path from 'node:path';
import type { DeviceConfig, DriverName } from '../../shared/contract/index';
import type { Logger } from '../core/logger';
import type { Device, DriverOptions } from './device';
import { EsclDevice } from './escl/index';
import { SaneDevice } from './sane/sane-device';
import { ScanLinkDevice } from './scanlink/scanlink-device';
import { TraceRecorder } from './scanlink/trace';

/**
 * Config → one factory → Device. This is the one place that knows which drivers exist: the
 * station, the pipeline and the CLI build every device through `createDevice` and see only the
 * driver-neutral `Device`.
 */

/** What the station adds to a device's config when it builds it. */
export interface FleetContext {
  simulated?: boolean;
  logger?: Logger;
  /** Where a driver that records sessions (QUIRE_TRACE=1) writes them. */
  tracesDir?: string;
}

export type DriverFactory = (options: DriverOptions, context: FleetContext) => Device;

const scanlink: DriverFactory = (options, context) => {
  const trace =
    process.env.QUIRE_TRACE === '1' && context.tracesDir
      ? new TraceRecorder(path.join(context.tracesDir, `${options.name}-${Date.now()}.jsonl`))
      : undefined;
  return new ScanLinkDevice({ ...options, trace, ownsTrace: trace !== undefined });
};

/** The built-in drivers by the name a config gives. */
const DRIVERS = new Map<DriverName, DriverFactory>([
  ['scanlink', scanlink],
  ['escl', (options) => new EsclDevice(options)],
  ['sane', (options) => new SaneDevice(options)],
]);

/** Adds (or replaces) a driver: the composition root's and tests' way to plug one in. */
export function registerDriver(name: DriverName, factory: DriverFactory): void {
  DRIVERS.set(name, factory);
}

export function registeredDrivers(): DriverName[] {
  return [...DRIVERS.keys()];
}

export class UnknownDriverError extends Error {
  override readonly name = 'UnknownDriverError';
  constructor(readonly driver: string) {
    super(
      `this station has no "${driver}" driver (available: ${registeredDrivers().join(', ')}); ` +
        'it cannot drive that scanner yet',
    );
  }
}

/** Builds the device a config describes; throws UnknownDriverError or the driver's own address error. */
export function createDevice(config: DeviceConfig, context: FleetContext = {}): Device {
  const factory = DRIVERS.get(config.driver);
  if (!factory) throw new UnknownDriverError(config.driver);
  return factory(
    {
      name: config.name,
      address: config.address,
      profile: config.profile,
      driverOptions: config.driverOptions,
      pinnedCertificateSha256: config.pinnedCertificateSha256,
      simulated: context.simulated,
      logger: context.logger,
    },
    context,
  );
}

/**
 * A scanner written as one URL (the CLI, "add by URL"): `HOST:PORT` or `scanlink://HOST:PORT`,
 * `http(s)://HOST:PORT/<root>` (eSCL), `sane:DEVICE`.
 */
export function parseDeviceUrl(url: string): { driver: DriverName; address: string } {
  const text = url.trim();
  if (/^scanlink:\/\//i.test(text)) return { driver: 'scanlink', address: text.slice('scanlink://'.length) };
  if (/^https?:\/\//i.test(text)) {
    try {
      new URL(text);
    } catch {
      throw new Error(`"${url}" is not a valid http(s) URL`);
    }
    return { driver: 'escl', address: text };
  }
  if (/^sane:/i.test(text)) {
    const device = text.slice('sane:'.length);
    if (!device) throw new Error(`"${url}" names no SANE device: write sane:DEVICE, e.g. sane:test`);
    return { driver: 'sane', address: device };
  }
  if (/^[^\s/]+:\d{1,5}$/.test(text)) return { driver: 'scanlink', address: text };
  throw new Error(
    `"${url}" is not a scanner URL: write HOST:PORT or scanlink://HOST:PORT (ScanLink), ` +
      'http(s)://HOST:PORT/eSCL (eSCL) or sane:DEVICE (SANE)',
  );
}
