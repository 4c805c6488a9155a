import http from 'node:http';

export interface EmulatorOptions {
  /** Ids OBJ-000001 … OBJ-<count> exist; others are 404. */
  count?: number;
  latencyMs?: number;
  /** Every Nth request answers 503. */
  fail5xxEvery?: number;
  /** The first N requests answer 429 with Retry-After. */
  burst429?: { requests: number; retryAfterSeconds: number };
  malformedIds?: string[];
  invalidIds?: string[];
  /** Never answer these (the client's timeout must fire). */
  timeoutIds?: string[];
  /** Fail these the first N times, then serve them. */
  flakyIds?: Record<string, number>;
}

/** A deterministic record for an id: every fourth has no tier, every tenth is embargoed. */
export function emulatedRecord(id: string): Record<string, unknown> {
  const n = Number(/(\d+)$/.exec(id)?.[1] ?? 0);
  return {
    accession_number: `ACC-${String(n).padStart(6, '0')}`,
    title: `Object ${n}`,
    media_url: `https://cms.example.org/media/${id}.tif`,
    rights_statement:
      n % 3 === 0
        ? 'http://rightsstatements.org/vocab/InC/1.0/'
        : 'http://rightsstatements.org/vocab/NoC-US/1.0/',
    embargo_date: n % 10 === 0 ? '2999-01-01' : null,
    ...(n % 4 === 0 ? {} : { access_tier: n % 5 === 0 ? 'research' : 'public' }),
    iiif_manifest: null,
    lido_namespace: 'http://www.lido-schema.org/',
  };
}

/**
 * A collection-management API on loopback for the default station and the tests: GET
 * /assets/{id} with injectable latency, 5xx and 429 bursts, malformed records and timeouts.
 */
export async function startCmsEmulator(
  options: EmulatorOptions = {},
  port = 0,
): Promise<{ url: string; port: number; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const flaky = new Map(Object.entries(options.flakyIds ?? {}));
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    requests += 1;
    const n = requests;
    const match = /^\/assets\/([^/?]+)$/.exec(req.url ?? '');
    const id = match ? decodeURIComponent(match[1]!) : null;
    const reply = () => {
      if (!id || req.method !== 'GET') return send(res, 404, { error: 'not found' });
      if (options.timeoutIds?.includes(id)) {
        hanging.add(res);
        return;
      }
      if (options.burst429 && n <= options.burst429.requests) {
        res.setHeader('Retry-After', String(options.burst429.retryAfterSeconds));
        return send(res, 429, { error: 'slow down' });
      }
      if (options.fail5xxEvery && n % options.fail5xxEvery === 0)
        return send(res, 503, { error: 'unavailable' });
      const remaining = flaky.get(id);
      if (remaining !== undefined && remaining > 0) {
        flaky.set(id, remaining - 1);
        return send(res, 502, { error: 'bad gateway' });
      }
      const number = Number(/^OBJ-(\d{6})$/.exec(id)?.[1] ?? NaN);
      if (!(number >= 1 && number <= (options.count ?? 1_000_000)))
        return send(res, 404, { error: `no asset ${id}` });
      if (options.malformedIds?.includes(id)) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('{"accession_number": "ACC-');
      }
      const record = emulatedRecord(id);
      if (options.invalidIds?.includes(id))
        return send(res, 200, { ...record, media_url: 'not a url', access_tier: 'secret' });
      send(res, 200, record);
    };
    if (options.latencyMs) setTimeout(reply, options.latencyMs);
    else reply();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        hanging.forEach((r) => r.destroy());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
