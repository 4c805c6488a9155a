import { z } from 'zod';
import { command } from './define';

/**
 * A scanner found on the network or attached to this station, before anyone added it. Nothing
 * here names a protocol except `driver`, which is what a device's config takes.
 */
export const DiscoveredScanner = z.object({
  /** Stable across discoveries: the device's own UUID when it announced one. */
  id: z.string(),
  /** The driver that would drive it (the value a device's config takes). */
  driver: z.string(),
  /** What the device calls itself (make and model). */
  name: z.string(),
  /** Where it is, in its driver's own form (what a device's config takes as its address). */
  address: z.string(),
  /** The same as one URL that `quire probe` / `quire capture` accept. */
  url: z.string(),
  /** Every URL it was seen at, best first (other interfaces, other address families, HTTPS). */
  urls: z.array(z.string()),
  uuid: z.string().nullable(),
  /** What it announced it can do; empty when it announces nothing before it is added. */
  sources: z.array(z.enum(['flatbed', 'feeder', 'duplex'])),
  modes: z.array(z.enum(['color', 'gray', 'bw'])),
});
export type DiscoveredScanner = z.infer<typeof DiscoveredScanner>;

export const DiscoveryResult = z.object({
  scanners: z.array(DiscoveredScanner),
  /** What could not be searched, said plainly (no multicast, scanimage not installed). */
  problems: z.array(z.string()),
  seconds: z.number(),
});
export type DiscoveryResult = z.infer<typeof DiscoveryResult>;

export const discoveryCommands = {
  'devices.discover': command({
    input: z.object({ seconds: z.number().min(0.5).max(30).optional() }).strict(),
    output: DiscoveryResult,
    access: 'operator',
    summary: 'Looks for scanners on the network and on this station (takes a few seconds).',
  }),
};
