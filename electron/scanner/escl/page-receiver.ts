import type { MasterFormat } from '../device';
import { type PageWriter } from '../page-writer';
import type { FlowControl } from './http';
import { SNIFF_BYTES, sniffFormat } from './sniff';

/** The response is paused above this many bytes waiting for the disk, resumed below the low mark. */
const PAUSE_ABOVE_BYTES = 8 * 1024 * 1024;
const RESUME_BELOW_BYTES = 2 * 1024 * 1024;

/**
 * Takes one document's body as the parser pushes it and streams it to a PageWriter opened
 * under the format its first bytes show (the Content-Type header only when the bytes say
 * nothing). Chunks wait in a short queue while the file opens or the writer's buffers are all
 * on their way to disk; above a few MiB the response is paused, so memory stays bounded
 * whatever the page size.
 */
export class PageReceiver {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private writer: PageWriter | null = null;
  private busy = false;
  private paused = false;
  private failure: Error | null = null;
  private flow: FlowControl | null = null;
  private idleWaiters: Array<() => void> = [];
  private ended = false;

  constructor(
    private readonly open: (format: MasterFormat) => Promise<PageWriter>,
    private readonly declaredFormat: MasterFormat,
  ) {}

  attach(flow: FlowControl): void {
    this.flow = flow;
  }

  get receivedBytes(): number {
    return (this.writer?.receivedBytes ?? 0) + this.queued;
  }

  data(chunk: Buffer): void {
    if (this.failure) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (!this.paused && this.queued > PAUSE_ABOVE_BYTES) {
      this.paused = true;
      this.flow?.pause();
    }
    this.pump();
  }

  /** The body ended: every byte goes to the writer, which is returned (null for an empty body). */
  async end(): Promise<PageWriter | null> {
    this.ended = true;
    this.pump();
    await this.idle();
    if (this.failure) throw this.failure;
    return this.writer;
  }

  /** The body broke off: whatever was written is removed. */
  async discard(): Promise<void> {
    this.failure ??= new Error('discarded');
    await this.idle();
    await this.writer?.discard();
  }

  private pump(): void {
    if (this.busy) return;
    if (this.failure) return this.wakeIdle();
    if (!this.writer) {
      if (this.queued === 0 || (this.queued < SNIFF_BYTES && !this.ended)) return this.wakeIdle();
      this.busy = true;
      const head = Buffer.concat(this.queue).subarray(0, SNIFF_BYTES);
      this.open(sniffFormat(head) ?? this.declaredFormat).then(
        (writer) => {
          this.writer = writer;
          this.busy = false;
          this.pump();
        },
        (error: unknown) => {
          this.failure = error as Error;
          this.busy = false;
          this.wakeIdle();
        },
      );
      return;
    }
    const writer = this.writer;
    while (this.queue.length > 0) {
      const chunk = this.queue.shift()!;
      this.queued -= chunk.length;
      if (!writer.write(chunk)) {
        this.busy = true;
        writer.onceDrained(() => {
          this.busy = false;
          this.pump();
        });
        break;
      }
    }
    if (this.paused && this.queued < RESUME_BELOW_BYTES) {
      this.paused = false;
      this.flow?.resume();
    }
    if (!this.busy) this.wakeIdle();
  }

  /** Nothing in flight: every queued byte written, or waiting for more bytes to tell the format, or failed. */
  private isIdle(): boolean {
    if (this.busy) return false;
    if (this.failure || this.queue.length === 0) return true;
    return !this.writer && !this.ended;
  }

  private idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => w());
  }
}
