import type { Clock } from '../../core/clock';
import type { Db } from '../../storage/index';
import { migrate } from '../../storage/index';
import {
  parseStoredSettings,
  type SettingsChange,
  type SettingsRecords,
  type StoredSettings,
} from '../settings-records';

/** The settings module's table since the first release (the module name stays `settings`). */
const MIGRATIONS = [
  {
    version: 1,
    name: 'settings',
    sql: `CREATE TABLE settings (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      json TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
  },
];

/**
 * A station's settings as one JSON row of its own SQLite. SQLite answers synchronously; the
 * answers are wrapped as promises to fit the interface. Nothing else writes this row while the
 * station runs, so there is never another writer to announce.
 */
export class SqliteSettingsRecords implements SettingsRecords {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    migrate(db, 'settings', MIGRATIONS);
  }

  async load(): Promise<StoredSettings | null> {
    const raw = this.readRaw();
    return raw === null ? null : parseStoredSettings(raw);
  }

  async seed(settings: StoredSettings): Promise<StoredSettings> {
    return this.db
      .transaction(() => {
        const raw = this.readRaw();
        if (raw !== null) return parseStoredSettings(raw);
        this.write(settings);
        return settings;
      })
      .immediate();
  }

  async save(change: (stored: StoredSettings | null) => StoredSettings): Promise<StoredSettings> {
    return this.db
      .transaction(() => {
        const raw = this.readRaw();
        const next = change(raw === null ? null : parseStoredSettings(raw));
        // Fields this version cannot read stay as they were (a newer Quire may read them again).
        const stored = { ...(isObject(raw) ? raw : {}), ...next };
        this.write(stored);
        return parseStoredSettings(stored);
      })
      .immediate();
  }

  subscribe(_listener: (change: SettingsChange) => void): () => void {
    return () => {};
  }

  async close(): Promise<void> {}

  /** The stored JSON; null without a row, undefined for a row that is not JSON. */
  private readRaw(): unknown {
    const row = this.db.prepare('SELECT json FROM settings WHERE id = 1').get() as
      { json: string } | undefined;
    if (!row) return null;
    try {
      return JSON.parse(row.json) as unknown;
    } catch {
      return undefined;
    }
  }

  private write(settings: object): void {
    this.db
      .prepare(
        `INSERT INTO settings (id, json, updated_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at`,
      )
      .run(JSON.stringify(settings), new Date(this.clock.now()).toISOString());
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
