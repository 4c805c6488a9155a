import type { AnyEvent, EventName, EventPayload } from '../../shared/contract/index';

export type EventListener = (event: AnyEvent) => void;

/**
 * The core's one outward event stream (device status, job updates, quarantine changes, audit
 * appends…). Transports subscribe and coalesce; core modules only emit. A listener that throws
 * is isolated so one bad subscriber cannot stop the others or the emitter.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    const event = { name, payload } as AnyEvent;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
