import {
  DEFAULT_QUARANTINE_REASONS,
  DEFAULT_SCAN_PROFILES,
  StationSettings,
  type ScanProfilePreset,
} from '../../shared/contract/index';
import { nextBatchName } from '../../shared/domain/batch-name';
import type { CoreContext } from '../core/core-context';
import { conflict, notFound } from '../core/station-error';
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
  scanProfiles: DEFAULT_SCAN_PROFILES,
  catalogApiBase: 'http://127.0.0.1:8787',
  diskWarningHours: 2,
  batchNameTemplate: '',
  trainingMode: false,
};

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

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

  /** Adds a profile; a name already taken (in any letter case) is refused, never overwritten. */
  saveScanProfile(preset: ScanProfilePreset): StationSettings {
    const existing = this.cached.scanProfiles.find((p) => sameName(p.name, preset.name));
    if (existing)
      throw conflict(
        `a scan profile named "${existing.name}" already exists: choose another name or delete it first`,
      );
    return this.update({ scanProfiles: [...this.cached.scanProfiles, preset] });
  }

  deleteScanProfile(name: string): StationSettings {
    if (!this.cached.scanProfiles.some((p) => sameName(p.name, name)))
      throw notFound(`scan profile "${name}"`);
    return this.update({ scanProfiles: this.cached.scanProfiles.filter((p) => !sameName(p.name, name)) });
  }

  /**
   * The name New batch proposes from the station's template, or null without a template. The
   * date is the station's day (its clock), so every console on it agrees.
   */
  suggestBatchName(input: { collection: string; operator: string }, taken: (id: string) => boolean) {
    const { batchNameTemplate, stationName } = this.cached;
    if (!batchNameTemplate) return null;
    const date = new Date(this.core.clock.now()).toISOString().slice(0, 10).replace(/-/g, '');
    return nextBatchName(
      batchNameTemplate,
      { collection: input.collection || 'batch', date, station: stationName, operator: input.operator },
      taken,
    );
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
