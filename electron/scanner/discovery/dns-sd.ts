import { Bonjour, type Service } from 'bonjour-service';
import type { DiscoveredScanner } from '../../../shared/contract/index';

/**
 * DNS-SD (mDNS) browsing for driverless network scanners: `_uscan._tcp` (HTTP) and
 * `_uscans._tcp` (HTTPS). Each announcement's TXT record says where the scan service lives
 * (`rs`), who the device is (`uuid`, `ty`) and what it can do (`cs`, `is`, `duplex`). A device
 * seen over both services, on several interfaces or address families is one entry, merged by
 * its uuid.
 */

export const NETWORK_DRIVER = 'escl';
const SERVICE_TYPES = [
  { type: 'uscan', scheme: 'http' },
  { type: 'uscans', scheme: 'https' },
] as const;

/** One announcement as heard: what the merge works from. */
export interface Announcement {
  scheme: 'http' | 'https';
  name: string;
  host: string;
  port: number;
  addresses: string[];
  txt: Record<string, string>;
}

/** Keys of a TXT record are case-insensitive (RFC 6763 §6.4); values arrive as text or bytes. */
function normalizeTxt(txt: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (txt && typeof txt === 'object')
    for (const [key, value] of Object.entries(txt as Record<string, unknown>))
      out[key.toLowerCase()] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  return out;
}

/** Reachable addresses first: IPv4, then routable IPv6; link-local IPv6 needs a zone, so last. */
function rankAddress(address: string): number {
  if (!address.includes(':')) return 0;
  return /^fe80:/i.test(address) ? 2 : 1;
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** The scan service's root path from `rs`: `eSCL`, `/eSCL` and `` all occur in the field. */
function rootPath(rs: string | undefined): string {
  return (rs ?? 'eSCL').replace(/^\/+|\/+$/g, '');
}

export function urlsOf(a: Announcement): string[] {
  const root = rootPath(a.txt.rs);
  const hosts = [...new Set(a.addresses)]
    .filter((address) => rankAddress(address) < 2)
    .sort((x, y) => rankAddress(x) - rankAddress(y))
    .map(hostForUrl);
  if (a.host) hosts.push(a.host.endsWith('.local') || a.host.includes('.') ? a.host : `${a.host}.local`);
  return hosts.map((host) => `${a.scheme}://${host}:${a.port}${root ? `/${root}` : ''}`);
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
}

/** Announcements → one entry per device: same uuid, or else same name and port. */
export function mergeAnnouncements(announcements: Announcement[]): DiscoveredScanner[] {
  const byKey = new Map<string, DiscoveredScanner>();
  for (const a of announcements) {
    const uuid = a.txt.uuid ? a.txt.uuid.toLowerCase().replace(/^urn:uuid:/, '') : null;
    const key = uuid ?? `${a.name}|${a.host}`;
    const urls = urlsOf(a);
    if (urls.length === 0) continue;
    const cs = listOf(a.txt.cs);
    const is = listOf(a.txt.is);
    const sources: DiscoveredScanner['sources'] = [];
    if (is.includes('platen')) sources.push('flatbed');
    if (is.includes('adf')) sources.push('feeder');
    if (/^(t|true|1)$/i.test(a.txt.duplex ?? '')) sources.push('duplex');
    const modes: DiscoveredScanner['modes'] = [];
    if (cs.includes('color')) modes.push('color');
    if (cs.includes('grayscale') || cs.includes('gray')) modes.push('gray');
    if (cs.includes('binary')) modes.push('bw');
    const existing = byKey.get(key);
    if (!existing) {
      byKey.set(key, {
        id: uuid ? `uuid:${uuid}` : `${NETWORK_DRIVER}:${urls[0]}`,
        driver: NETWORK_DRIVER,
        name: a.txt.ty || a.name,
        address: urls[0]!,
        url: urls[0]!,
        urls,
        uuid,
        sources,
        modes,
      });
      continue;
    }
    // Plain HTTP first (it needs no pinned certificate), then HTTPS; otherwise in the order heard.
    const merged = [...new Set([...existing.urls, ...urls])].sort(
      (x, y) => Number(x.startsWith('https:')) - Number(y.startsWith('https:')),
    );
    existing.urls = merged;
    existing.address = existing.url = merged[0]!;
    existing.sources = [...new Set([...existing.sources, ...sources])];
    existing.modes = [...new Set([...existing.modes, ...modes])];
  }
  return [...byKey.values()];
}

/**
 * Listens for `seconds` (asking twice, since a multicast query can be lost) and returns every
 * announcement heard. Throws when multicast cannot be used at all on this machine.
 */
export function browseScanners(seconds: number): Promise<Announcement[]> {
  return new Promise((resolve, reject) => {
    let failed: Error | null = null;
    const bonjour = new Bonjour({}, (error: Error) => (failed ??= error));
    const heard: Announcement[] = [];
    const browsers = SERVICE_TYPES.map(({ type, scheme }) =>
      bonjour.find({ type, protocol: 'tcp' }, (service: Service) =>
        heard.push({
          scheme,
          name: service.name,
          host: service.host,
          port: service.port,
          addresses: service.addresses ?? (service.referer ? [service.referer.address] : []),
          txt: normalizeTxt(service.txt),
        }),
      ),
    );
    const requery = setTimeout(() => browsers.forEach((b) => b.update()), (seconds * 1000) / 2);
    setTimeout(() => {
      clearTimeout(requery);
      browsers.forEach((b) => b.stop());
      bonjour.destroy();
      if (failed && heard.length === 0) reject(failed);
      else resolve(heard);
    }, seconds * 1000);
  });
}
