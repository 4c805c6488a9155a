import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  BRIDGE_PROTOCOL_PREFIX,
  BridgeRequest,
  type BridgeMessage,
  type WireResult,
} from '../../shared/contract/index';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/logger';
import { dispatch, maySeeEvents, newSession, type HandlerTable, type SessionGuard } from './dispatch';
import { EventCoalescer } from './event-coalescer';
import { contentSecurityPolicy, isLoopbackHost, resolveBundledPath } from './security-policy';

/**
 * The loopback WebSocket bridge: the same handler table as Electron IPC, reachable from a plain
 * browser so the real renderer runs in Chromium for e2e tests and `npm run start:browser`.
 * It listens on 127.0.0.1 only, serves the renderer bundle, and upgrades to WebSocket only
 * for a client that presents the per-run token (as a subprotocol, so it never lands in a URL
 * log) from no Origin (a non-browser client) or from the bridge's own origin.
 */
export interface BridgeOptions {
  table: HandlerTable;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Folder with the built renderer (index.html…); without it only the WebSocket is served. */
  staticRoot?: string;
  /** A fixed token (tests); otherwise 32 random bytes. */
  token?: string;
  validateOutput?: boolean;
  /** Extra origins allowed to connect (the Vite dev server in development). */
  extraOrigins?: string[];
  /** The idle lock and activity tracking applied before each command. */
  sessionGuard?: SessionGuard;
}

export interface Bridge {
  readonly port: number;
  readonly origin: string;
  readonly token: string;
  /** The URL a person opens: the renderer, with the token in the fragment (never sent to a server). */
  readonly appUrl: string;
  readonly wsUrl: string;
  readonly connectionCount: number;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('bridge failed to bind');
  const port = address.port;
  const origin = `http://127.0.0.1:${port}`;
  const allowedOrigins = new Set([origin, `http://localhost:${port}`, ...(options.extraOrigins ?? [])]);
  const csp = contentSecurityPolicy({ bridgeOrigin: origin });

  server.on('request', (req, res) => {
    if (!hasLoopbackHost(req.headers.host, port)) return refuse(res, 421, 'wrong host');
    if (!options.staticRoot || (req.method !== 'GET' && req.method !== 'HEAD'))
      return refuse(res, 404, 'not found');
    void serveStatic(options.staticRoot, req, res, csp);
  });

  server.on('upgrade', (req, socket: Duplex, head) => {
    const reason = checkUpgrade(req, port, allowedOrigins, token);
    if (reason) {
      options.logger.warn({ reason, origin: req.headers.origin }, 'bridge refused a connection');
      socket.end(
        `HTTP/1.1 ${reason.status} ${reason.text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    const session = newSession(options.clock.now());
    const send = (message: BridgeMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    // Checked when an event happens and again when a coalesced batch leaves, so a session that
    // signs out, locks or is disabled in between gets nothing more.
    const mayReceive = () => maySeeEvents(session, options.sessionGuard);
    const coalescer = new EventCoalescer((batch) => {
      if (mayReceive()) batch.forEach((event) => send({ type: 'event', event }));
    }, options.clock);
    const unsubscribe = options.events.subscribe((event) => {
      if (mayReceive()) coalescer.push(event);
    });

    ws.on('message', async (data, isBinary) => {
      const request = parseRequest(isBinary ? null : data.toString());
      if (!request.ok) {
        send({ type: 'result', id: request.id, result: request.result });
        return;
      }
      const { id, command, input } = request.value;
      const result = await dispatch(
        options.table,
        command,
        input,
        { session, transport: 'ws' },
        {
          logger: options.logger,
          validateOutput: options.validateOutput ?? true,
          sessionGuard: options.sessionGuard,
        },
      );
      send({ type: 'result', id, result });
    });
    ws.on('close', () => {
      sockets.delete(ws);
      unsubscribe();
      coalescer.close();
    });
    ws.on('error', (error) => options.logger.warn({ err: error }, 'bridge socket error'));
  });

  return {
    port,
    origin,
    token,
    appUrl: `${origin}/#token=${encodeURIComponent(token)}`,
    wsUrl: `ws://127.0.0.1:${port}/bridge`,
    get connectionCount() {
      return sockets.size;
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type ParsedRequest = { ok: true; value: BridgeRequest } | { ok: false; id: number; result: WireResult };

function parseRequest(text: string | null): ParsedRequest {
  let raw: unknown;
  try {
    if (text === null) throw new Error('binary frames are not accepted');
    raw = JSON.parse(text);
  } catch (error) {
    return invalid(-1, `message is not JSON: ${(error as Error).message}`);
  }
  const parsed = BridgeRequest.safeParse(raw);
  if (!parsed.success) {
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? Number((raw as { id: number }).id) : -1;
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return invalid(Number.isInteger(id) ? id : -1, `malformed bridge message: ${issues}`);
  }
  return { ok: true, value: parsed.data };
}

function invalid(id: number, message: string): ParsedRequest {
  return { ok: false, id, result: { ok: false, error: { code: 'INVALID_MESSAGE', message } } };
}

function checkUpgrade(
  req: http.IncomingMessage,
  port: number,
  allowedOrigins: ReadonlySet<string>,
  token: string,
): { status: number; text: string } | null {
  if (!hasLoopbackHost(req.headers.host, port)) return { status: 421, text: 'Misdirected Request' };
  if (new URL(req.url ?? '/', 'http://x').pathname !== '/bridge') return { status: 404, text: 'Not Found' };
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins.has(origin)) return { status: 403, text: 'Forbidden' };
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const presented = offered
    .find((p) => p.startsWith(BRIDGE_PROTOCOL_PREFIX))
    ?.slice(BRIDGE_PROTOCOL_PREFIX.length);
  if (!presented || !sameSecret(presented, token)) return { status: 401, text: 'Unauthorized' };
  return null;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Refuses DNS-rebinding tricks: the Host header must name loopback and this port. */
function hasLoopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  try {
    const url = new URL(`http://${host}`);
    return isLoopbackHost(url.hostname) && Number(url.port) === port;
  } catch {
    return false;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

async function serveStatic(root: string, req: http.IncomingMessage, res: http.ServerResponse, csp: string) {
  const pathname = new URL(req.url ?? '/', 'http://x').pathname;
  const file = resolveBundledPath(root, pathname);
  if (!file) return refuse(res, 404, 'not found');
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return refuse(res, 404, 'not found');
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  } catch {
    refuse(res, 404, 'not found');
  }
}

function refuse(res: http.ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
