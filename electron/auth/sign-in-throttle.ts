import { StationError } from '../core/station-error';

/**
 * How fast one key (an account name, or one connection) may guess. From the `freeFailures`th
 * failure on, each failure starts a wait of `baseDelayMs`, doubling with each further failure
 * up to `maxDelayMs`. Guessing gets slow quickly, but nobody is ever locked out for good: a
 * refused attempt records nothing, so a flood of guesses cannot keep a supervisor out.
 */
export interface ThrottlePolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
}

/**
 * Capped at a minute: the most one stranger's guess can cost the real owner of the account. The
 * connection's own, steeper backoff soon stops that stranger's guesses counting here at all.
 */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  forgetAfterMs: 15 * 60_000,
};

/** Steeper and longer: the guesser's own connection pays for its guesses, across every account. */
export const CONNECTION_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/** Account names tracked at most; beyond it, forgotten and then oldest idle entries are dropped. */
const MAX_TRACKED_ACCOUNTS = 10_000;

interface Entry {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
  /** An attempt is being checked right now: a second one waits for its answer. */
  inFlight: boolean;
}

/** One reserved attempt: settle it exactly once with the outcome of the password check. */
export interface Attempt {
  succeeded(): void;
  failed(): void;
  /** The check itself broke (not a wrong password): counts for nothing. */
  abandon(): void;
}

/**
 * Sign-in throttling per account and per connection. `reserve` checks and claims an attempt in
 * one synchronous step, before the password hash is awaited, so concurrent guesses cannot all
 * slip through between the check and the record: at most one attempt per account and one per
 * connection is ever being checked.
 */
export class SignInThrottle {
  private readonly accounts = new Map<string, Entry>();
  private readonly connections = new WeakMap<object, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly accountPolicy: ThrottlePolicy = ACCOUNT_POLICY,
    private readonly connectionPolicy: ThrottlePolicy = CONNECTION_POLICY,
  ) {}

  /** Claims an attempt for `username` from `connection`, or throws UNAUTHENTICATED saying how long to wait. */
  reserve(username: string, connection: object): Attempt {
    const now = this.now();
    const account = this.accountEntry(username, now);
    const own = this.connectionEntry(connection, now);
    refuseIfBusy(own, now, 'from this connection');
    refuseIfBusy(account, now, 'for this account');
    account.inFlight = true;
    own.inFlight = true;
    let settled = false;
    const settle = (outcome: 'success' | 'failure' | 'none') => {
      if (settled) return;
      settled = true;
      account.inFlight = false;
      own.inFlight = false;
      if (outcome === 'success') {
        this.accounts.delete(username);
        reset(own);
      } else if (outcome === 'failure') {
        const at = this.now();
        recordFailure(account, this.accountPolicy, at);
        recordFailure(own, this.connectionPolicy, at);
      }
    };
    return {
      succeeded: () => settle('success'),
      failed: () => settle('failure'),
      abandon: () => settle('none'),
    };
  }

  private accountEntry(username: string, now: number): Entry {
    let entry = this.accounts.get(username);
    if (!entry) {
      if (this.accounts.size >= MAX_TRACKED_ACCOUNTS) this.sweep(now);
      entry = newEntry();
      this.accounts.set(username, entry);
    }
    forgetIfOld(entry, this.accountPolicy, now);
    return entry;
  }

  private connectionEntry(connection: object, now: number): Entry {
    let entry = this.connections.get(connection);
    if (!entry) {
      entry = newEntry();
      this.connections.set(connection, entry);
    }
    forgetIfOld(entry, this.connectionPolicy, now);
    return entry;
  }

  private sweep(now: number): void {
    for (const [name, entry] of this.accounts) {
      if (!entry.inFlight && now - entry.lastFailureAt >= this.accountPolicy.forgetAfterMs)
        this.accounts.delete(name);
    }
    for (const [name, entry] of this.accounts) {
      if (this.accounts.size < MAX_TRACKED_ACCOUNTS) break;
      if (!entry.inFlight && entry.blockedUntil <= now) this.accounts.delete(name);
    }
  }
}

const newEntry = (): Entry => ({ failures: 0, lastFailureAt: 0, blockedUntil: 0, inFlight: false });

function reset(entry: Entry): void {
  entry.failures = 0;
  entry.blockedUntil = 0;
}

function forgetIfOld(entry: Entry, policy: ThrottlePolicy, now: number): void {
  if (entry.failures > 0 && now - entry.lastFailureAt >= policy.forgetAfterMs) reset(entry);
}

function recordFailure(entry: Entry, policy: ThrottlePolicy, now: number): void {
  entry.failures += 1;
  entry.lastFailureAt = now;
  const over = entry.failures - policy.freeFailures;
  if (over >= 0)
    entry.blockedUntil = now + Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(over, 30));
}

function refuseIfBusy(entry: Entry, now: number, scope: string): void {
  if (entry.inFlight) {
    throw new StationError(
      'UNAUTHENTICATED',
      `a sign-in ${scope} is already being checked; try again when it has been answered`,
    );
  }
  if (entry.blockedUntil > now) {
    const seconds = Math.ceil((entry.blockedUntil - now) / 1000);
    throw new StationError(
      'UNAUTHENTICATED',
      `too many failed sign-in attempts ${scope}; wait ${seconds} s and try again`,
    );
  }
}
