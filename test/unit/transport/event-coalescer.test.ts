import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../../shared/contract/index';
import { FakeClock } from '../../../electron/core/clock';
import { EventCoalescer } from '../../../electron/transport/event-coalescer';

const heartbeat = (n: number): AnyEvent => ({
  name: 'station.heartbeat',
  payload: { at: 'x', uptimeSeconds: n },
});

describe('EventCoalescer', () => {
  it('delivers only the newest keyed event per interval', () => {
    const clock = new FakeClock();
    const delivered: AnyEvent[] = [];
    const coalescer = new EventCoalescer((batch) => delivered.push(...batch), clock, 100);
    for (let i = 0; i < 50; i++) coalescer.push(heartbeat(i));
    expect(delivered).toHaveLength(0);
    clock.advance(100);
    expect(delivered).toEqual([heartbeat(49)]);
  });

  it('bounds the rate: 1,000 updates over one second give at most ten deliveries', () => {
    const clock = new FakeClock();
    let deliveries = 0;
    const coalescer = new EventCoalescer((batch) => (deliveries += batch.length), clock, 100);
    for (let i = 0; i < 1000; i++) {
      coalescer.push(heartbeat(i));
      clock.advance(1);
    }
    clock.advance(100);
    expect(deliveries).toBeLessThanOrEqual(11);
    expect(deliveries).toBeGreaterThanOrEqual(9);
  });

  it('stops delivering after close', () => {
    const clock = new FakeClock();
    const delivered: AnyEvent[] = [];
    const coalescer = new EventCoalescer((batch) => delivered.push(...batch), clock, 100);
    coalescer.push(heartbeat(1));
    coalescer.close();
    clock.advance(1000);
    expect(delivered).toHaveLength(0);
  });
});
