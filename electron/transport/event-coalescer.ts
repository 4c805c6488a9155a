import { events as eventSpecs, type AnyEvent } from '../../shared/contract/index';
import type { Clock, TimerHandle } from '../core/clock';

/** About ten updates a second per entity at most: a fleet of busy scanners never floods a renderer. */
export const DEFAULT_FLUSH_INTERVAL_MS = 100;

/**
 * Sits between the core's event stream and one transport client. Events whose spec has a
 * coalescing key (device status, job progress…) are held for one interval and only the newest
 * per key is delivered; events without a key (alerts, audit appends) pass straight through,
 * because dropping one of those would lose information.
 */
export class EventCoalescer {
  private readonly pending = new Map<string, AnyEvent>();
  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(
    private readonly deliver: (events: AnyEvent[]) => void,
    private readonly clock: Clock,
    private readonly intervalMs = DEFAULT_FLUSH_INTERVAL_MS,
  ) {}

  push(event: AnyEvent): void {
    if (this.closed) return;
    const spec = eventSpecs[event.name] as { coalesceKey?: (payload: unknown) => string };
    if (!spec.coalesceKey) {
      this.deliver([event]);
      return;
    }
    this.pending.set(`${event.name}\u0000${spec.coalesceKey(event.payload)}`, event);
    if (!this.timer) {
      this.timer = this.clock.setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  flush(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.deliver(batch);
  }

  close(): void {
    this.closed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
