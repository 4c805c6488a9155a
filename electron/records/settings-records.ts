import { StationSettings } from '../../shared/contract/index';

/**
 * Where a station's settings are kept: the station's own SQLite for a single station; in a lab,
 * the lab-wide fields in the lab's PostgreSQL and the per-station ones still in the station's
 * SQLite. The settings module holds the rules (unique profile names, what goes where) and talks
 * only to this interface.
 */

/**
 * In a lab, which settings the stations share and which stay each station's own. Lab-wide
 * fields describe the lab's work (who it is, why batches are quarantined, how it scans, when a
 * console locks, where the catalog is, how batches are named) and are changed at any station
 * for all of them; per-station fields describe one PC (its name, whether it is a training
 * station, how early its own disk warns). Every field must be placed here: a new one that is
 * not fails to compile.
 */
export const SETTINGS_SCOPE = {
  organizationName: 'lab',
  quarantineReasons: 'lab',
  scanProfiles: 'lab',
  idleLockMinutes: 'lab',
  catalogApiBase: 'lab',
  batchNameTemplate: 'lab',
  stationName: 'station',
  trainingMode: 'station',
  diskWarningHours: 'station',
} as const satisfies Record<keyof StationSettings, 'lab' | 'station'>;

export type SettingsScope = (typeof SETTINGS_SCOPE)[keyof StationSettings];
export type SettingName = keyof StationSettings;

export const settingsOf = (scope: SettingsScope): SettingName[] =>
  (Object.keys(SETTINGS_SCOPE) as SettingName[]).filter((name) => SETTINGS_SCOPE[name] === scope);

/** Settings as stored: each field that was stored and still reads as valid. */
export type StoredSettings = Partial<StationSettings>;

/** The fields of `settings` that belong to `scope`. */
export function settingsIn(scope: SettingsScope, settings: StoredSettings): StoredSettings {
  const picked: Record<string, unknown> = {};
  for (const name of settingsOf(scope)) if (settings[name] !== undefined) picked[name] = settings[name];
  return picked as StoredSettings;
}

/**
 * Reads stored settings field by field: a field that no longer parses (hand-edited, another
 * version's) is left out, so it falls back alone instead of taking the others with it.
 */
export function parseStoredSettings(value: unknown): StoredSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const fields = value as Record<string, unknown>;
  const parsed: Record<string, unknown> = {};
  for (const name of Object.keys(SETTINGS_SCOPE) as SettingName[]) {
    if (!(name in fields)) continue;
    const field = StationSettings.shape[name].safeParse(fields[name]);
    if (field.success) parsed[name] = field.data;
  }
  return parsed as StoredSettings;
}

/**
 * Another writer changed the stored settings (`station` names it), or `resync` when changes may
 * have been missed (the link was lost): either way, read them again.
 */
export type SettingsChange = { kind: 'changed'; station: string } | { kind: 'resync' };

export interface SettingsRecords {
  /** What is stored; null when nothing was ever saved. */
  load(): Promise<StoredSettings | null>;
  /** Stores `settings` only when nothing is stored yet (the first writer wins); returns what is stored. */
  seed(settings: StoredSettings): Promise<StoredSettings>;
  /**
   * Reads what is stored and writes what `change` makes of it, as one step no other writer
   * interleaves with (in a lab: no other station), so two changes made at once both count.
   * `change` may throw to refuse: nothing is written and its error passes on. A field stored
   * that this version cannot read is kept as it was unless `change` sets it. Returns what is
   * stored now; other writers' subscribers are told.
   */
  save(change: (stored: StoredSettings | null) => StoredSettings): Promise<StoredSettings>;
  /** Calls the listener when another writer changed the settings; returns the unsubscribe. */
  subscribe(listener: (change: SettingsChange) => void): () => void;
  close(): Promise<void>;
}
