import pg from 'pg';

/**
 * A pool on the lab's PostgreSQL (`postgres://user@host:port/db`). Connection errors surface
 * on the queries that need the database; an idle client the server dropped (a restart) is
 * logged and replaced rather than crashing the station.
 */
export function openLabPool(
  url: string,
  options: { max?: number; onError?: (error: Error) => void } = {},
): pg.Pool {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`the lab database URL ${url} is not a URL (expected postgres://user@host:port/database)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new Error(
      `the lab database URL ${url} is not postgres://… (expected postgres://user@host:port/database)`,
    );
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

/**
 * Runs `work` in one transaction on one client of the pool: committed when it resolves, rolled
 * back when it throws (the error passes on), and the client always returned.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // A connection the server ends while it is checked out (a restart) emits 'error' besides
  // failing the query in flight: unheard, that event would crash the station.
  const lost = () => {};
  client.on('error', lost);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.removeListener('error', lost);
    client.release();
  }
}

/** Socket errors of a server that is down, unreachable or went away mid-query. */
const NO_ANSWER_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** SQLSTATEs of a server that cannot serve now: shutting down, crashed, starting up. */
const NOT_SERVING_STATES = new Set(['57P01', '57P02', '57P03']);

/**
 * Whether an error means the lab database did not answer (refused, dropped, timed out, shutting
 * down or starting up), as against an answer that refused the query (a constraint, a missing
 * table): only the former is worth waiting out. SQLSTATE class 08 is a connection exception;
 * the two messages are node-postgres's own for a dropped connection and a connect timeout.
 */
export function isLabDatabaseUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (NO_ANSWER_CODES.has(code) || NOT_SERVING_STATES.has(code) || code.startsWith('08'))
  )
    return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect/i.test(message)
  );
}
