import { describe, expect, it } from 'vitest';
import {
  LimiterRegistry,
  parseRate,
  PRIORITY,
  parseSchedule,
  rateAt,
  TokenBucket,
  type LimiterClock,
} from '../../../electron/transfer/rate';

/** A clock that only moves when the limiter sleeps: the bucket's accounting, without real time. */
function fakeClock(): LimiterClock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: (ms: number) => {
      clock.t += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

const at = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(2026, 0, 5, h, m);
};

describe('rates and schedules', () => {
  it('reads rates as curl does and refuses nonsense', () => {
    expect(parseRate('50M')).toBe(50 * 1024 * 1024);
    expect(parseRate('800K')).toBe(800 * 1024);
    expect(parseRate('1.5G')).toBe(Math.floor(1.5 * 1024 ** 3));
    expect(parseRate('unlimited')).toBeNull();
    expect(() => parseRate('fast')).toThrow(/not a number of bytes per second/);
    expect(() => parseRate('10')).toThrow(/below 1K/);
  });

  it('applies a daytime limit and none at night, windows crossing midnight included', () => {
    const day = parseSchedule('20M@08:00-18:00,unlimited');
    expect(rateAt(day, at('07:59'))).toBeNull();
    expect(rateAt(day, at('08:00'))).toBe(20 * 1024 * 1024);
    expect(rateAt(day, at('17:59'))).toBe(20 * 1024 * 1024);
    expect(rateAt(day, at('18:00'))).toBeNull();
    const night = parseSchedule('5M@22:00-06:00,50M');
    expect(rateAt(night, at('23:30'))).toBe(5 * 1024 * 1024);
    expect(rateAt(night, at('05:00'))).toBe(5 * 1024 * 1024);
    expect(rateAt(night, at('12:00'))).toBe(50 * 1024 * 1024);
    expect(() => parseSchedule('5M@25:00-06:00')).toThrow(/HH:MM/);
  });
});

describe('token bucket', () => {
  it('lets through no more than the rate allows over time, plus one burst', async () => {
    const clock = fakeClock();
    const rate = 1024 * 1024;
    const bucket = new TokenBucket({ rate }, clock);
    for (let i = 0; i < 40; i += 1) await bucket.take(256 * 1024);
    expect(bucket.granted).toBe(10 * 1024 * 1024);
    // 10 MB at 1 MB/s: ten seconds of (fake) time, less at most one burst of 256 KB.
    expect(clock.t).toBeGreaterThanOrEqual(((10 * 1024 * 1024 - 256 * 1024) / rate) * 1000);
    expect(clock.t).toBeLessThanOrEqual(10_000 + 1000);
  });

  it('shares one destination limit between concurrent transfers', async () => {
    const clock = fakeClock();
    const registry = new LimiterRegistry(clock);
    const schedule = { rate: 2 * 1024 * 1024 };
    const a = registry.forDestination('sftp://repo', schedule);
    const b = registry.forDestination('sftp://repo', schedule);
    expect(a).toBe(b);
    const other = registry.forDestination('file:///mnt/ingest', schedule);
    expect(other).not.toBe(a);
    const send = async (bucket: TokenBucket) => {
      for (let i = 0; i < 20; i += 1) await bucket.take(512 * 1024);
    };
    await Promise.all([send(a), send(b)]);
    // 20 MB through one 2 MB/s bucket: about ten seconds, not five.
    expect(a.granted).toBe(20 * 1024 * 1024);
    expect(clock.t).toBeGreaterThanOrEqual(9_000);
  });

  it('lifts the limit when the schedule says unlimited', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: null }, clock);
    for (let i = 0; i < 100; i += 1) await bucket.take(1024 * 1024);
    expect(clock.t).toBe(0);
    expect(bucket.currentRate()).toBeNull();
  });

  it('serves masters before derivatives when several transfers wait', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 1024 * 1024 }, clock);
    const order: string[] = [];
    const waits = [
      bucket.take(256 * 1024, PRIORITY.other).then(() => order.push('derivative 1')),
      bucket.take(256 * 1024, PRIORITY.other).then(() => order.push('derivative 2')),
      bucket.take(256 * 1024, PRIORITY.master).then(() => order.push('master')),
    ];
    await Promise.all(waits);
    // The first derivative was already being served; the master then goes before the second.
    expect(order).toEqual(['derivative 1', 'master', 'derivative 2']);
  });
});
