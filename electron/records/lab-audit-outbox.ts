import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { backoffMs } from '../core/backoff';
import type { AuditModule } from '../audit/module';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/logger';
import { appendStationEvents, LabAuditConflict, labHeldUpTo } from './postgres/lab-audit-chain';

/** connected: the lab holds everything; behind: events wait to be sent; diverged: refused. */
export type LabAuditLinkState = 'connected' | 'behind' | 'unreachable' | 'diverged';

export interface LabAuditOutboxOptions {
  station: string;
  audit: Pick<AuditModule, 'since'>;
  pool: pg.Pool;
  events: EventBus;
  logger?: Logger;
  batchSize?: number;
  retry?: { baseMs: number; capMs: number };
  random?: () => number;
}

/**
 * Carries the station's audit log into the lab's. The station's own log stays the first and
 * durable record (it is written in the same transaction as the page it describes, whether or
 * not the lab database answers); this sends what the lab lacks, in chain order, and resumes
 * from what the lab says it holds, so nothing is lost or sent twice across restarts and
 * outages. While the database is unreachable it retries with capped, jittered backoff.
 */
export class LabAuditOutbox extends EventEmitter {
  private linkState: LabAuditLinkState = 'behind';
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  lastError: string | null = null;

  constructor(private readonly options: LabAuditOutboxOptions) {
    super();
  }

  get state(): LabAuditLinkState {
    return this.linkState;
  }

  /** Sends everything the lab lacks now; throws if the lab cannot be reached or refuses. */
  async flush(): Promise<number> {
    const { pool, station, audit } = this.options;
    const batchSize = this.options.batchSize ?? 500;
    let after = await labHeldUpTo(pool, station);
    let pushed = 0;
    for (;;) {
      const events = audit.since(after, batchSize);
      if (events.length === 0) return pushed;
      const { appended } = await appendStationEvents(pool, station, events);
      pushed += appended;
      after = events.at(-1)!.seq;
    }
  }

  /** Follows the log: sends after every append (coalesced) and retries while the lab is away. */
  start(): void {
    this.stopped = false;
    this.unsubscribe = this.options.events.subscribe((event) => {
      if (event.name === 'audit.appended') this.kick();
    });
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Resolves once the lab holds every event written so far (or rejects when it is refused). */
  async drained(): Promise<void> {
    for (;;) {
      await this.running;
      if (this.linkState === 'diverged') throw new LabAuditConflict(this.lastError ?? 'diverged');
      if (this.linkState === 'connected' && !this.running) return;
      await new Promise<void>((resolve) => this.once('state', () => resolve()));
    }
  }

  private kick(): void {
    if (this.stopped || this.linkState === 'diverged') return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async round(): Promise<void> {
    try {
      await this.flush();
      this.failures = 0;
      this.lastError = null;
      this.setState('connected');
    } catch (error) {
      this.lastError = (error as Error).message;
      if (error instanceof LabAuditConflict) {
        this.options.logger?.error({ err: error }, 'the lab refused this station’s audit log');
        this.setState('diverged');
        return;
      }
      this.failures += 1;
      this.options.logger?.warn({ err: error, failures: this.failures }, 'lab database unreachable');
      this.setState('unreachable');
      const { baseMs, capMs } = this.options.retry ?? { baseMs: 500, capMs: 30_000 };
      const delay = backoffMs(this.failures, baseMs, capMs, this.options.random);
      if (!this.stopped) this.timer = setTimeout(() => ((this.timer = null), this.kick()), delay);
    }
  }

  private setState(state: LabAuditLinkState): void {
    const changed = state !== this.linkState;
    this.linkState = state;
    if (changed || state === 'connected') this.emit('state', state);
  }
}
