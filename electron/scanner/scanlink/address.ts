import { DEFAULT_PORT } from './protocol';

/**
 * A ScanLink/1 address: `HOST:PORT`, `HOST` (port 9100), `[IPv6]:PORT`, optionally written as
 * `scanlink://…`. Throws naming what is wrong, so a bad address is refused when it is configured
 * rather than found out when the first batch waits for a scanner that cannot exist.
 */
export function parseScanLinkAddress(address: string): { host: string; port: number } {
  const bare = address
    .trim()
    .replace(/^scanlink:\/\//i, '')
    .replace(/\/+$/, '');
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+))(?::(\d{1,5}))?$/.exec(bare);
  const host = match?.[1] ?? match?.[2];
  const port = match?.[3] === undefined ? DEFAULT_PORT : Number(match[3]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`"${address}" is not a ScanLink address: expected HOST:PORT, e.g. 10.0.0.7:9100`);
  return { host, port };
}
