import type { TLSSocket } from 'node:tls';
import { buildConnector, Pool, type Dispatcher } from 'undici';

/** Where an eSCL device is: its origin, the Host header it expects and its root path. */
export interface EsclAddress {
  origin: string;
  /** `host:port`, always with the port: some devices answer nothing else. */
  hostHeader: string;
  host: string;
  port: number;
  https: boolean;
  /** The eSCL root, e.g. `/eSCL`, without a trailing slash. */
  root: string;
}

export class EsclAddressError extends Error {
  override readonly name = 'EsclAddressError';
}

export function parseEsclAddress(address: string): EsclAddress {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new EsclAddressError(`"${address}" is not an eSCL address: expected http(s)://HOST:PORT/<root>`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new EsclAddressError(`"${address}" is not an eSCL address: the scheme must be http or https`);
  const https = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : https ? 443 : 80;
  const root = url.pathname.replace(/\/+$/, '') || '/eSCL';
  return {
    origin: `${url.protocol}//${url.hostname}:${port}`,
    hostHeader: `${url.hostname}:${port}`,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    https,
    root,
  };
}

/** A certificate that is neither trusted by the system nor pinned by an operator. */
export class UntrustedCertificateError extends Error {
  override readonly name = 'UntrustedCertificateError';
  constructor(
    readonly fingerprint: string,
    reason: string,
  ) {
    super(
      `the scanner's certificate is not trusted (${reason}); if this is the scanner's own ` +
        `certificate, pin its SHA-256 fingerprint for this device: ${fingerprint}`,
    );
  }
}

const normalizeFingerprint = (fp: string) => fp.replace(/[^0-9a-f]/gi, '').toLowerCase();

/**
 * TLS where a scanner's self-signed certificate is accepted only when its SHA-256 fingerprint
 * is the one an operator pinned; a certificate the system trusts needs no pin, but a pin, once
 * set, must match.
 */
function pinningConnector(pinnedSha256: string | undefined): buildConnector.connector {
  // No session resumption: a resumed session shows no peer certificate to check.
  const connect = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
  return (options, callback) =>
    connect(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('no socket'), null);
      const tls = socket as TLSSocket;
      if (typeof tls.getPeerCertificate !== 'function') return callback(null, socket);
      const fingerprint = tls.getPeerCertificate().fingerprint256 ?? '';
      const pinned = pinnedSha256 ? normalizeFingerprint(pinnedSha256) : null;
      let refusal: Error | null = null;
      if (pinned !== null && normalizeFingerprint(fingerprint) !== pinned)
        refusal = new UntrustedCertificateError(fingerprint, 'it does not match the pinned fingerprint');
      else if (pinned === null && !tls.authorized)
        refusal = new UntrustedCertificateError(
          fingerprint,
          String(tls.authorizationError ?? 'unknown issuer'),
        );
      if (refusal) {
        socket.destroy();
        return callback(refusal, null);
      }
      callback(null, socket);
    });
}

export interface EsclResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export interface HttpTimeouts {
  /** Until the response headers: a scanner may take long to feed and scan before it answers. */
  headersTimeoutMs: number;
  /** Silence between two chunks of a body before the page is given up. */
  bodyTimeoutMs: number;
}

/** HTTP to one eSCL device, with its Host header and certificate rule on every request. */
export class EsclHttp {
  private readonly pool: Pool;

  constructor(
    readonly address: EsclAddress,
    options: { pinnedCertificateSha256?: string | undefined } & HttpTimeouts,
  ) {
    this.pool = new Pool(address.origin, {
      connections: 4,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      connect: address.https ? pinningConnector(options.pinnedCertificateSha256) : undefined,
    });
  }

  /** A path under the eSCL root, e.g. `ScannerStatus` → `/eSCL/ScannerStatus`. */
  rootPath(name: string): string {
    return `${this.address.root}/${name}`;
  }

  async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { body?: string; signal?: AbortSignal } = {},
  ): Promise<EsclResponse> {
    const headers: Record<string, string> = { host: this.address.hostHeader };
    if (options.body !== undefined) headers['content-type'] = 'text/xml';
    const res = await this.pool.request({
      method,
      path,
      headers,
      body: options.body,
      signal: options.signal,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /** A small XML document (status, capabilities): read whole, with its status code. */
  async getText(path: string, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    const res = await this.request('GET', path, { signal });
    return { status: res.status, text: await res.body.text() };
  }

  /** See streamGet. */
  dispatch(path: string, signal: AbortSignal, handler: StreamHandler): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      let controller: Dispatcher.DispatchController | null = null;
      const onAbort = () => controller?.abort(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = (error?: Error) => {
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      this.pool.dispatch(
        { method: 'GET', path, headers: { host: this.address.hostHeader } },
        {
          onRequestStart: (c) => {
            controller = c;
            if (signal.aborted) c.abort(signal.reason as Error);
          },
          onResponseStart: (c, status, headers) =>
            handler.start(status, headers, { pause: () => c.pause(), resume: () => c.resume() }),
          onResponseData: (_c, chunk) => handler.data(chunk),
          onResponseEnd: () => settle(),
          onResponseError: (_c, error) => settle(error),
        },
      );
    });
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => {});
  }
}

export function header(res: EsclResponse, name: string): string | null {
  return headerOf(res.headers, name);
}

export function headerOf(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | null {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** Drains and ignores a body, so the connection can be reused. */
export async function discardBody(res: EsclResponse): Promise<void> {
  await res.body.dump().catch(() => {});
}

/** Pauses and resumes a streamed response (backpressure from the disk). */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

export interface StreamHandler {
  /** The status and headers; the body follows through `data`. */
  start(status: number, headers: Record<string, string | string[] | undefined>, flow: FlowControl): void;
  data(chunk: Buffer): void;
}

/**
 * A GET whose body is pushed chunk by chunk straight from the parser (no stream object in
 * between: on a gigabyte that is half a CPU-second saved). Resolves when the body has ended,
 * rejects when the connection fails or the signal aborts.
 */
export function streamGet(
  http: EsclHttp,
  path: string,
  signal: AbortSignal,
  handler: StreamHandler,
): Promise<void> {
  return http.dispatch(path, signal, handler);
}
