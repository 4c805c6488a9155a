import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Passwords are hashed with scrypt from Node's crypto (OpenSSL): memory-hard, built in, and
 * kept by Node itself, so no native add-on has to be rebuilt for Electron. The parameters are
 * stored with each hash (`scrypt$N$r$p$salt$key`), so an old hash still verifies with its own
 * parameters and is replaced by a stronger one at the next successful sign-in.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keyLength: number;
}

/** N=2^17, r=8: 128 MiB and roughly half a second per guess, as OWASP advises for scrypt. */
export const CURRENT_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1, keyLength: 32 };

/** Hashes held in memory at once, whatever the number of sign-ins: bounds memory to 2 × 128 MiB. */
const MAX_CONCURRENT_HASHES = 2;
/** Stored parameters beyond this are refused rather than allowed to take the station's memory. */
const MAX_N = 2 ** 20;

let running = 0;
const waiting: Array<() => void> = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next waiter, so `running` never dips and lets a newcomer jump the queue.
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // OpenSSL needs 128·r·(N + p + 2) bytes; twice 128·N·r leaves room for any p we store.
  const maxmem = 2 * 128 * params.N * params.r;
  return withHashSlot(
    () =>
      new Promise((resolve, reject) =>
        scrypt(
          password.normalize('NFKC'),
          salt,
          params.keyLength,
          { N: params.N, r: params.r, p: params.p, maxmem },
          (error, key) => (error ? reject(error) : resolve(key)),
        ),
      ),
  );
}

export async function hashPassword(password: string, params: ScryptParams = CURRENT_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface StoredHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): StoredHash | null {
  const [scheme, n, r, p, saltB64, keyB64, extra] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !saltB64 || !keyB64 || extra !== undefined) return null;
  const key = Buffer.from(keyB64, 'base64');
  const params = { N: Number(n), r: Number(r), p: Number(p), keyLength: key.length };
  const sane =
    Number.isInteger(params.N) &&
    params.N > 1 &&
    params.N <= MAX_N &&
    (params.N & (params.N - 1)) === 0 &&
    Number.isInteger(params.r) &&
    params.r >= 1 &&
    params.r <= 32 &&
    Number.isInteger(params.p) &&
    params.p >= 1 &&
    params.p <= 16 &&
    key.length >= 16;
  return sane ? { params, salt: Buffer.from(saltB64, 'base64'), key } : null;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const actual = await derive(password, parsed.salt, parsed.params);
  return actual.length === parsed.key.length && timingSafeEqual(actual, parsed.key);
}

/** True when a stored hash is weaker than the current parameters (or unreadable). */
export function needsRehash(stored: string, params: ScryptParams = CURRENT_PARAMS): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const old = parsed.params;
  return old.N < params.N || old.r < params.r || old.p < params.p || old.keyLength < params.keyLength;
}

/**
 * What an unknown username is checked against, so its answer takes as long as a real one: the
 * given parameters with a random key nobody can match. Costs nothing to make.
 */
export function unmatchableHash(params: ScryptParams = CURRENT_PARAMS): string {
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    randomBytes(16).toString('base64'),
    randomBytes(params.keyLength).toString('base64'),
  ].join('$');
}
