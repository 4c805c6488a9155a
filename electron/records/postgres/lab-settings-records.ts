import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../../core/logger';
import {
  parseStoredSettings,
  settingsIn,
  type SettingsChange,
  type SettingsRecords,
  type StoredSettings,
} from '../settings-records';
import { LabChannel } from './lab-channel';
import { inTransaction } from './lab-database';

/** Every station listens here; a change is announced in the transaction that makes it. */
export const LAB_SETTINGS_CHANNEL = 'quire_lab_settings';
/** Serialises the lab's settings writes (and the first station's seeding of them). */
const SETTINGS_WRITE_LOCK = 727_171_007;

/** Who changed the settings: the writer lets a station skip its own announcements. */
const Announcement = z.object({ writer: z.string(), station: z.string() });

/**
 * The lab-wide settings on PostgreSQL, one row shared by every station (per-station fields are
 * never written here: settingsIn('lab') picks what is). Writes are serialised by an advisory
 * lock and announced with NOTIFY inside their transaction, so other stations re-read them on
 * commit; a station that lost its link re-reads them when it is back.
 */
export class LabSettingsRecords implements SettingsRecords {
  private readonly listeners = new Set<(change: SettingsChange) => void>();
  private readonly channel: LabChannel;
  /** This writer's own announcements are not news to it. */
  private readonly writer = randomUUID();

  constructor(
    private readonly pool: pg.Pool,
    private readonly station: string,
    options: { logger?: Logger; retry?: { baseMs: number; capMs: number } } = {},
  ) {
    this.channel = new LabChannel(pool, LAB_SETTINGS_CHANNEL, {
      logger: options.logger,
      retry: options.retry,
      onMessage: (payload) => this.heard(payload),
      onReconnect: () => this.emit({ kind: 'resync' }),
    });
  }

  /** Starts listening; resolves once the first LISTEN is in place (or its first attempt failed). */
  async start(): Promise<this> {
    await this.channel.start();
    return this;
  }

  async load(): Promise<StoredSettings | null> {
    const { rows } = await this.pool.query<{ settings: unknown }>(
      'SELECT settings FROM lab_settings WHERE id = 1',
    );
    return rows[0] ? settingsIn('lab', parseStoredSettings(rows[0].settings)) : null;
  }

  async seed(settings: StoredSettings): Promise<StoredSettings> {
    return this.write((stored) => stored ?? settingsIn('lab', settings), { onlyIfEmpty: true });
  }

  async save(change: (stored: StoredSettings | null) => StoredSettings): Promise<StoredSettings> {
    return this.write(change, { onlyIfEmpty: false });
  }

  subscribe(listener: (change: SettingsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.channel.close();
  }

  private write(
    change: (stored: StoredSettings | null) => StoredSettings,
    options: { onlyIfEmpty: boolean },
  ): Promise<StoredSettings> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SETTINGS_WRITE_LOCK]);
      const { rows } = await client.query<{ settings: unknown }>(
        'SELECT settings FROM lab_settings WHERE id = 1',
      );
      const raw = rows[0] ? rows[0].settings : null;
      const stored = raw === null ? null : settingsIn('lab', parseStoredSettings(raw));
      if (stored && options.onlyIfEmpty) return stored;
      // Fields this version cannot read stay as they were (a newer Quire may read them again).
      const next = { ...(isObject(raw) ? raw : {}), ...settingsIn('lab', change(stored)) };
      await client.query(
        `INSERT INTO lab_settings (id, settings, updated_by) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_by = excluded.updated_by,
           updated_at = now(), revision = lab_settings.revision + 1`,
        [JSON.stringify(next), this.station],
      );
      await client.query('SELECT pg_notify($1, $2)', [
        LAB_SETTINGS_CHANNEL,
        JSON.stringify({ writer: this.writer, station: this.station }),
      ]);
      return settingsIn('lab', parseStoredSettings(next));
    });
  }

  /** Anything unexpected in an announcement (another Quire's format) asks for a re-read all the same. */
  private heard(payload: string | undefined): void {
    const parsed = Announcement.safeParse(parseJson(payload));
    if (!parsed.success) this.emit({ kind: 'resync' });
    else if (parsed.data.writer !== this.writer) this.emit({ kind: 'changed', station: parsed.data.station });
  }

  private emit(change: SettingsChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '') as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
