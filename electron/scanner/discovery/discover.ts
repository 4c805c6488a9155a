import type { DiscoveryResult } from '../../../shared/contract/index';
import type { ScanimageRuntime } from '../sane/scanimage';
import { attachedScanners } from './attached';
import { browseScanners, mergeAnnouncements } from './dns-sd';

export interface DiscoverOptions {
  /** How long to listen for network announcements (default 3 s). */
  seconds?: number;
  /** How scanimage is run (tests point it at a private SANE configuration). */
  scanimage?: ScanimageRuntime;
  /** Skip one half (tests, or a lab that allows no multicast). */
  network?: boolean;
  attached?: boolean;
}

export const DEFAULT_DISCOVERY_SECONDS = 3;

/**
 * Every scanner this station can find: network scanners announcing themselves over DNS-SD and
 * scanners reachable through SANE, searched at the same time. A half that cannot be searched
 * (no multicast, no scanimage) is named in `problems`; the other half still answers.
 */
export async function discoverScanners(options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const seconds = options.seconds ?? DEFAULT_DISCOVERY_SECONDS;
  const problems: string[] = [];
  const [network, attached] = await Promise.all([
    options.network === false
      ? []
      : browseScanners(seconds)
          .then(mergeAnnouncements)
          .catch((error: Error) => {
            problems.push(`network discovery (mDNS) failed: ${error.message}`);
            return [];
          }),
    options.attached === false
      ? []
      : // Backends that search the network themselves can take a while; bounded all the same.
        attachedScanners(options.scanimage, Math.max(seconds * 1000, 10_000) + 5_000).catch(
          (error: Error) => {
            problems.push(`attached scanners could not be listed: ${error.message}`);
            return [];
          },
        ),
  ]);
  return { scanners: [...network, ...attached], problems, seconds };
}

let running: Promise<DiscoveryResult> | null = null;

/**
 * The station's discovery: one search at a time, however many consoles ask; a console that asks
 * while a search runs gets that search's result.
 */
export function discoverScannersShared(seconds?: number): Promise<DiscoveryResult> {
  running ??= discoverScanners({ seconds }).finally(() => (running = null));
  return running;
}
