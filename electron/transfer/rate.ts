/**
 * Bandwidth shaping: a token bucket per destination, shared by every transfer to it, with a
 * daily schedule of limits. Rates are bytes per second; `50M` is 50 × 1024 × 1024, as curl's
 * `--limit-rate` reads it.
 */

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** `50M`, `800K`, `1.5G`, `1048576` → bytes per second; `0`, `unlimited` or `none` → null. */
export function parseRate(text: string): number | null {
  const t = text.trim();
  if (/^(0|unlimited|none)$/i.test(t)) return null;
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?(?:\/s)?$/i.exec(t);
  if (!m) throw new Error(`rate "${text}" is not a number of bytes per second like 50M, 800K or 1048576`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
  if (bytes < 1024) throw new Error(`rate "${text}" is below 1K bytes per second`);
  return bytes;
}

/** One window of a daily schedule: from `HH:MM` (inclusive) to `HH:MM` (exclusive), local time. */
export interface RateWindow {
  from: string;
  to: string;
  /** Bytes per second in this window; null is unlimited. */
  rate: number | null;
}

export interface RateSchedule {
  /** Outside every window. */
  rate: number | null;
  windows?: RateWindow[];
}

const minutesOf = (hhmm: string): number => {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error(`"${hhmm}" is not a time of day HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/** The limit in force at `now` (local time); a window may cross midnight (22:00–06:00). */
export function rateAt(schedule: RateSchedule, now: Date): number | null {
  const minute = now.getHours() * 60 + now.getMinutes();
  for (const w of schedule.windows ?? []) {
    const from = minutesOf(w.from);
    const to = minutesOf(w.to);
    const inside = from <= to ? minute >= from && minute < to : minute >= from || minute < to;
    if (inside) return w.rate;
  }
  return schedule.rate;
}

/** `20M@08:00-18:00,unlimited` → a schedule; a plain `50M` is one rate all day. */
export function parseSchedule(text: string): RateSchedule {
  const windows: RateWindow[] = [];
  let rate: number | null = null;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(.+)@(\d\d?:\d\d)-(\d\d?:\d\d)$/.exec(part);
    if (m) {
      minutesOf(m[2]!);
      minutesOf(m[3]!);
      windows.push({ rate: parseRate(m[1]!), from: m[2]!, to: m[3]! });
    } else rate = parseRate(part);
  }
  return { rate, windows };
}

export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realLimiterClock: LimiterClock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface Waiter {
  bytes: number;
  priority: number;
  seq: number;
  resolve: () => void;
}

/** Priorities of what waits for a destination: masters go before derivatives and metadata. */
export const PRIORITY = { master: 0, other: 1 } as const;

/**
 * A token bucket: tokens accrue at the scheduled rate up to a burst of a quarter second's worth
 * (at least 256 KB so one write fits), and `take(n)` waits until n are available. Takers queue
 * by priority, then in order of arrival, so two transfers to one destination share the rate
 * instead of each getting it, and a package's masters go before another's derivatives.
 * `granted` counts every byte let through: tests assert on it, not on time.
 */
export class TokenBucket {
  private tokens = 0;
  private last: number;
  private readonly waiters: Waiter[] = [];
  private seq = 0;
  private pumping = false;
  granted = 0;

  constructor(
    private schedule: RateSchedule,
    private readonly clock: LimiterClock = realLimiterClock,
  ) {
    this.last = clock.now();
  }

  setSchedule(schedule: RateSchedule): void {
    this.schedule = schedule;
  }

  /** The rate in force now, bytes per second, or null when unlimited. */
  currentRate(): number | null {
    return rateAt(this.schedule, new Date(this.clock.now()));
  }

  take(bytes: number, priority: number = PRIORITY.master): Promise<void> {
    if (this.waiters.length === 0 && this.currentRate() === null) {
      this.granted += bytes;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.waiters.push({ bytes, priority, seq: (this.seq += 1), resolve });
      this.waiters.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        const next = this.waiters[0]!;
        await this.wait(next.bytes);
        this.waiters.splice(this.waiters.indexOf(next), 1);
        next.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }

  private async wait(bytes: number): Promise<void> {
    for (;;) {
      const rate = this.currentRate();
      const now = this.clock.now();
      if (rate === null) {
        this.tokens = 0;
        this.last = now;
        this.granted += bytes;
        return;
      }
      const burst = Math.max(rate / 4, 256 * 1024, bytes);
      this.tokens = Math.min(burst, this.tokens + ((now - this.last) / 1000) * rate);
      this.last = now;
      if (this.tokens >= bytes) {
        this.tokens -= bytes;
        this.granted += bytes;
        return;
      }
      // Sleep until enough tokens, but wake at least once a second so a schedule change applies.
      await this.clock.sleep(Math.min(1000, Math.ceil(((bytes - this.tokens) / rate) * 1000)));
    }
  }
}

/** One bucket per destination, so every transfer to it shares the limit. */
export class LimiterRegistry {
  private readonly buckets = new Map<string, TokenBucket>();
  constructor(private readonly clock: LimiterClock = realLimiterClock) {}

  forDestination(key: string, schedule: RateSchedule): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(schedule, this.clock);
      this.buckets.set(key, bucket);
    } else bucket.setSchedule(schedule);
    return bucket;
  }
}
