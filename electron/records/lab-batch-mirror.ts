import { EventEmitter, once } from 'node:events';
import type pg from 'pg';
import { backoffMs } from '../core/backoff';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/logger';
import type { BatchChangeReader, BatchSnapshot } from './batch-snapshot';
import { labMirrorMark, mirrorBatchSnapshots } from './postgres/batch-mirror';

export { LAB_BATCHES_CHANNEL } from './postgres/batch-mirror';
export type { BatchChangeReader, BatchSnapshot } from './batch-snapshot';

/** connected: the lab holds every change; behind: changes wait to be sent; unreachable: retrying. */
export type LabBatchMirrorState = 'connected' | 'behind' | 'unreachable';

export interface LabBatchMirrorOptions {
  station: string;
  /** The station's batches (pipeline/batches/batch-snapshot.ts: localBatchChanges(db)). */
  changes: BatchChangeReader;
  pool: pg.Pool;
  events: EventBus;
  logger?: Logger;
  /** Batches per push (default 200)… */
  batchesPerPush?: number;
  /** …and pages per push (default 20,000; a batch larger than that goes alone). */
  pagesPerPush?: number;
  /** Changes within this window become one push (default 100 ms). */
  coalesceMs?: number;
  /** Looks for changes that announced no event this often (default 2 s; one indexed read). */
  pollMs?: number;
  retry?: { baseMs: number; capMs: number };
  random?: () => number;
}

export interface LabBatchMirrorFlush {
  /** Batches the lab now holds as the station does. */
  pushed: number;
  /** Transactions it took (one per chunk of batches). */
  transactions: number;
  /** Batch ids another station holds in the lab: not overwritten, logged, passed over. */
  conflicts: { id: string; station: string }[];
}

/**
 * Carries the station's batches into the lab's mirror. The station's own SQLite stays the first
 * and durable record (pages are recorded there with their PREMIS events, whether or not the lab
 * answers); this sends each changed batch whole, in the station's change order, and resumes
 * from the mark the lab keeps, so nothing is lost, duplicated or taken back across restarts and
 * outages. It pushes soon after a change (coalesced), on a slow poll for changes that announced
 * nothing, and, while the lab is unreachable, retries with capped, jittered backoff.
 *
 * Emits 'state' (LabBatchMirrorState) when the state changes, 'pushed' (LabBatchMirrorFlush)
 * after each good round and 'round' after every round, good or not.
 */
export class LabBatchMirror extends EventEmitter {
  private linkState: LabBatchMirrorState = 'behind';
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private soonTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = true;
  /** The station's change number the lab is known to hold (after the last good flush). */
  private pushedUpTo = 0;
  lastError: string | null = null;

  constructor(private readonly options: LabBatchMirrorOptions) {
    super();
  }

  get state(): LabBatchMirrorState {
    return this.linkState;
  }

  /** Sends everything the lab lacks now; throws when the lab cannot be reached. */
  async flush(): Promise<LabBatchMirrorFlush> {
    const { pool, station, changes, logger } = this.options;
    const batchesPerPush = this.options.batchesPerPush ?? 200;
    const pagesPerPush = this.options.pagesPerPush ?? 20_000;
    let after = await labMirrorMark(pool, station);
    const result: LabBatchMirrorFlush = { pushed: 0, transactions: 0, conflicts: [] };
    for (;;) {
      const changed = changes.changedSince(after, batchesPerPush);
      if (changed.length === 0) break;
      // The mark may move only to the last change listed: a batch read later than it was listed
      // carries a newer change, sent now and again (a no-op for the lab) when it is listed.
      const snapshots: BatchSnapshot[] = [];
      let upTo = after;
      let pages = 0;
      for (const entry of changed) {
        if (snapshots.length > 0 && pages >= pagesPerPush) break;
        const snapshot = changes.snapshot(entry.id);
        if (snapshot) snapshots.push(snapshot);
        pages += snapshot?.pages.length ?? 0;
        upTo = entry.changeSeq;
      }
      const pushed = await mirrorBatchSnapshots(pool, station, snapshots, upTo);
      if (pushed.conflicts.length)
        logger?.error(
          { station, conflicts: pushed.conflicts },
          'the lab holds these batch ids for another station: not mirrored',
        );
      result.pushed += pushed.changed.length;
      result.transactions += 1;
      result.conflicts.push(...pushed.conflicts);
      after = upTo;
    }
    this.pushedUpTo = Math.max(this.pushedUpTo, after);
    return result;
  }

  /** Follows the station's batches until close(): pushes now, after changes, and on a slow poll. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.options.events.subscribe((event) => {
      if (event.name === 'batch.updated') this.soon();
    });
    this.pollTimer = setInterval(() => this.poll(), this.options.pollMs ?? 2_000);
    this.pollTimer.unref();
    this.kick();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const timer of [this.retryTimer, this.soonTimer]) if (timer) clearTimeout(timer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.retryTimer = this.soonTimer = this.pollTimer = null;
    await this.running;
    this.emit('round');
  }

  /** Resolves once the lab holds every batch change made before the call. */
  async drained(): Promise<void> {
    for (;;) {
      if (this.stopped) throw new Error('the batch mirror is closed');
      const caughtUp = this.options.changes.latestChangeSeq() <= this.pushedUpTo;
      if (!this.running && this.linkState === 'connected' && caughtUp) return;
      if (!this.running && !this.retryTimer) this.kick();
      await once(this, 'round');
    }
  }

  /** A change was announced: one push for everything announced within the window. */
  private soon(): void {
    // While the lab is unreachable the pending retry carries it: changes do not hasten retries.
    if (this.stopped || this.soonTimer || this.retryTimer) return;
    if (this.linkState === 'connected') this.setState('behind');
    this.soonTimer = setTimeout(() => {
      this.soonTimer = null;
      this.kick();
    }, this.options.coalesceMs ?? 100);
  }

  private poll(): void {
    // While unreachable the retry timer paces the attempts; the poll only finds silent changes.
    if (this.stopped || this.running || this.retryTimer || this.soonTimer) return;
    if (this.options.changes.latestChangeSeq() > this.pushedUpTo) this.soon();
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.running = this.round().finally(() => {
      this.running = null;
      this.emit('round');
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async round(): Promise<void> {
    try {
      const result = await this.flush();
      this.failures = 0;
      this.lastError = null;
      this.setState('connected');
      this.emit('pushed', result);
    } catch (error) {
      this.lastError = (error as Error).message;
      this.failures += 1;
      this.options.logger?.warn(
        { err: error, failures: this.failures },
        'lab database unreachable: batches wait on the station',
      );
      this.setState('unreachable');
      const { baseMs, capMs } = this.options.retry ?? { baseMs: 500, capMs: 30_000 };
      const delay = backoffMs(this.failures, baseMs, capMs, this.options.random);
      if (!this.stopped)
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.kick();
        }, delay);
    }
  }

  private setState(state: LabBatchMirrorState): void {
    if (state === this.linkState) return;
    this.linkState = state;
    this.emit('state', state);
  }
}
