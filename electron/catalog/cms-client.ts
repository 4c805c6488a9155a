import { Pool, errors as undiciErrors } from 'undici';
import { AssetRecord, toWireIssues, type WireIssue } from '../../shared/contract/index';

export type FetchOutcome =
  | { ok: true; record: AssetRecord; attempts: number }
  | {
      ok: false;
      reason: 'http' | 'validation' | 'network' | 'timeout';
      status: number | null;
      detail: string;
      issues: WireIssue[];
      attempts: number;
    };

export interface CmsClientOptions {
  timeoutMs?: number;
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  connections?: number;
  /** Injected so tests never wait for real backoff. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

class Retryable extends Error {
  constructor(
    readonly reason: 'http' | 'network' | 'timeout',
    readonly status: number | null,
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/**
 * The collection-management API over HTTP: pooled keep-alive connections (undici's Pool), a
 * per-request timeout, and retries with exponential backoff and full jitter for network
 * errors, timeouts, 429 (honouring Retry-After) and 5xx. Any other 4xx, malformed JSON or an
 * invalid record is final: it goes to the dead letters with its reason.
 */
export class CmsClient {
  private readonly pool: Pool;
  private readonly options: Required<Omit<CmsClientOptions, 'sleep' | 'random'>> &
    Pick<CmsClientOptions, 'sleep' | 'random'>;

  constructor(
    readonly apiBase: string,
    options: CmsClientOptions = {},
  ) {
    const url = new URL(apiBase);
    this.options = {
      timeoutMs: 10_000,
      retries: 4,
      baseDelayMs: 200,
      maxDelayMs: 10_000,
      connections: 20,
      ...options,
    };
    this.pool = new Pool(url.origin, {
      connections: this.options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
    });
    this.basePath = url.pathname.replace(/\/$/, '');
  }

  private readonly basePath: string;

  async fetchAsset(id: string): Promise<FetchOutcome> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const random = this.options.random ?? Math.random;
    let attempt = 0;
    for (;;) {
      attempt += 1;
      try {
        return { ...(await this.once(id)), attempts: attempt } as FetchOutcome;
      } catch (error) {
        if (!(error instanceof Retryable)) throw error;
        if (attempt > this.options.retries) {
          return {
            ok: false,
            reason: error.reason,
            status: error.status,
            detail: `${error.message} (after ${attempt} attempts)`,
            issues: [],
            attempts: attempt,
          };
        }
        const bound = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
        await sleep(error.retryAfterMs ?? Math.floor(random() * bound));
      }
    }
  }

  private async once(
    id: string,
  ): Promise<
    | Omit<Extract<FetchOutcome, { ok: true }>, 'attempts'>
    | Omit<Extract<FetchOutcome, { ok: false }>, 'attempts'>
  > {
    let response;
    try {
      response = await this.pool.request({
        method: 'GET',
        path: `${this.basePath}/assets/${encodeURIComponent(id)}`,
        headers: { accept: 'application/json' },
        // The pool's headersTimeout and bodyTimeout bound each request; no per-request timer.
      });
    } catch (error) {
      const timeout =
        error instanceof undiciErrors.HeadersTimeoutError ||
        error instanceof undiciErrors.BodyTimeoutError ||
        (error as Error).name === 'TimeoutError' ||
        (error as Error).name === 'AbortError';
      throw new Retryable(
        timeout ? 'timeout' : 'network',
        null,
        timeout ? `no answer within ${this.options.timeoutMs} ms` : (error as Error).message,
        null,
      );
    }
    const { statusCode, headers, body } = response;
    let text: string;
    try {
      text = await body.text();
    } catch (error) {
      throw new Retryable(
        'timeout',
        statusCode,
        `the body did not arrive: ${(error as Error).message}`,
        null,
      );
    }
    if (statusCode === 429 || statusCode >= 500) {
      const retryAfter = Number(headers['retry-after']);
      throw new Retryable(
        'http',
        statusCode,
        `HTTP ${statusCode}`,
        Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter * 1000, 60_000) : null,
      );
    }
    if (statusCode >= 400)
      return { ok: false, reason: 'http', status: statusCode, detail: `HTTP ${statusCode}`, issues: [] };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return {
        ok: false,
        reason: 'validation',
        status: statusCode,
        detail: 'the record is not JSON',
        issues: [{ path: '(root)', message: 'not JSON' }],
      };
    }
    const parsed = AssetRecord.safeParse(json);
    if (!parsed.success)
      return {
        ok: false,
        reason: 'validation',
        status: statusCode,
        detail: 'the record does not match AssetRecord',
        issues: toWireIssues(parsed.error),
      };
    return { ok: true, record: parsed.data };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
