import type { DiscoveredScanner } from '../../../shared/contract/index';
import { SANE_DRIVER } from '../sane/sane-device';
import { listSaneDevices, type ScanimageRuntime } from '../sane/scanimage';

/**
 * Scanners this station reaches through SANE (`scanimage -L`): USB and SCSI document scanners,
 * and network scanners of vendor backends. Devices of SANE's own driverless backends (`airscan`,
 * `escl`) are left out: the same scanners are found over DNS-SD and driven directly.
 */
const DRIVERLESS_BACKENDS = /^(airscan|escl):/;

export async function attachedScanners(
  runtime?: ScanimageRuntime,
  timeoutMs?: number,
): Promise<DiscoveredScanner[]> {
  const devices = await listSaneDevices(runtime, timeoutMs);
  return devices
    .filter((d) => !DRIVERLESS_BACKENDS.test(d.name))
    .map((d) => ({
      id: `${SANE_DRIVER}:${d.name}`,
      driver: SANE_DRIVER,
      name: [d.vendor, d.model].filter(Boolean).join(' ') || d.name,
      address: d.name,
      url: `${SANE_DRIVER}:${d.name}`,
      urls: [`${SANE_DRIVER}:${d.name}`],
      uuid: null,
      sources: [],
      modes: [],
    }));
}
