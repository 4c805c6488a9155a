import type pg from 'pg';
import type { Logger } from '../../core/logger';

export interface LabChannelOptions {
  logger?: Logger;
  onMessage: (payload: string | undefined) => void;
  /** The link was lost and is back: anything sent meanwhile was missed. */
  onReconnect: () => void;
  retry?: { baseMs: number; capMs: number };
}

/**
 * LISTEN on one channel of the lab database, on a connection of its own held from the pool.
 * A lost connection (a database restart, a network cut) is replaced with capped backoff; once
 * it is back, `onReconnect` says that announcements may have been missed.
 */
export class LabChannel {
  private client: pg.PoolClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private lost = false;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly name: string,
    private readonly options: LabChannelOptions,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${name} is not a channel name`);
  }

  /** Resolves after the first attempt; a failed one is retried in the background. */
  async start(): Promise<void> {
    this.closed = false;
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    if (client) {
      await client.query(`UNLISTEN ${this.name}`).catch(() => {});
      client.release();
    }
  }

  private async connect(): Promise<void> {
    let client: pg.PoolClient | null = null;
    try {
      client = await this.pool.connect();
      client.on('notification', (message) => {
        if (message.channel === this.name) this.options.onMessage(message.payload);
      });
      const held = client;
      held.on('error', (error) => this.drop(held, error));
      await client.query(`LISTEN ${this.name}`);
      if (this.closed) {
        client.release();
        return;
      }
      this.client = client;
      this.failures = 0;
      if (this.lost) {
        this.lost = false;
        this.options.onReconnect();
      }
    } catch (error) {
      if (client) this.drop(client, error as Error);
      else this.retryLater(error as Error);
    }
  }

  private drop(client: pg.PoolClient, error: Error): void {
    if (this.client === client) this.client = null;
    // Releasing with the error destroys the connection instead of returning it to the pool.
    try {
      client.release(error);
    } catch {
      // already released
    }
    this.retryLater(error);
  }

  private retryLater(error: Error): void {
    if (this.closed || this.timer) return;
    this.lost = true;
    this.failures += 1;
    this.options.logger?.warn(
      { err: error.message, channel: this.name, failures: this.failures },
      'lost the lab database’s announcements; reconnecting',
    );
    const { baseMs, capMs } = this.options.retry ?? { baseMs: 250, capMs: 10_000 };
    const delay = Math.min(capMs, baseMs * 2 ** Math.min(this.failures - 1, 16));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
    this.timer.unref();
  }
}
