import { DEFAULT_QUARANTINE_REASONS, StationSettings } from '../../shared/contract/index';
import type { CoreContext } from '../core/core-context';
import { migrate } from '../storage/index';

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

export const DEFAULT_SETTINGS: StationSettings = {
  organizationName: 'Digitization Lab',
  stationName: 'Station 1',
  idleLockMinutes: 15,
  quarantineReasons: [...DEFAULT_QUARANTINE_REASONS],
};

/** Station settings: one validated JSON row; every change is announced to the consoles. */
export class SettingsStore {
  private cached: StationSettings;

  constructor(private readonly core: CoreContext) {
    migrate(core.db, 'settings', MIGRATIONS);
    const row = core.db.prepare('SELECT json FROM settings WHERE id = 1').get() as
      { json: string } | undefined;
    // A row that no longer parses (hand-edited, older version) falls back to defaults field by field.
    const stored = row ? StationSettings.partial().safeParse(JSON.parse(row.json)) : null;
    this.cached = { ...DEFAULT_SETTINGS, ...(stored?.success ? stored.data : {}) };
  }

  get(): StationSettings {
    return this.cached;
  }

  update(patch: Partial<StationSettings>): StationSettings {
    const next = StationSettings.parse({ ...this.cached, ...patch });
    this.core.db
      .prepare(
        `INSERT INTO settings (id, json, updated_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at`,
      )
      .run(JSON.stringify(next), new Date(this.core.clock.now()).toISOString());
    this.cached = next;
    this.core.events.emit('settings.changed', next);
    return next;
  }
}
