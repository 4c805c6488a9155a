import {
  DEFAULT_QUARANTINE_REASONS,
  DEFAULT_SCAN_PROFILES,
  SETTING_LABELS,
  StationSettings,
  type ScanProfilePreset,
  type SettingsUpdate,
} from '../../shared/contract/index';
import { nextBatchName } from '../../shared/domain/batch-name';
import type { CoreContext } from '../core/core-context';
import { conflict, notFound, StationError, unavailable } from '../core/station-error';
import {
  SETTINGS_SCOPE,
  settingsIn,
  settingsOf,
  type SettingName,
  type SettingsRecords,
  type StoredSettings,
} from '../records/settings-records';

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
const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Refuses a change to a field that was changed by someone else since the editor read it: stored
 * now with a value that is neither the one it started from nor the one it would write.
 */
function refuseChangedMeanwhile(
  current: StationSettings,
  values: Partial<StationSettings>,
  expected: Partial<StationSettings>,
): void {
  const moved = (Object.keys(values) as SettingName[]).filter(
    (name) =>
      name in expected &&
      !sameValue(current[name], expected[name]) &&
      !sameValue(current[name], values[name]),
  );
  if (moved.length === 0) return;
  const shown = (value: unknown) => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));
  const labelled = (name: SettingName) => SETTING_LABELS[name as keyof typeof SETTING_LABELS] ?? name;
  throw new StationError(
    'CONFLICT',
    `Nothing was saved: ${moved.map(labelled).join(', ')} changed at another console or station ` +
      `while you edited (now ${moved.map((name) => `${labelled(name)}: ${shown(current[name])}`).join('; ')}). ` +
      'Make your change again on what is stored now.',
    moved.map((name) => ({
      path: name,
      message: `changed meanwhile at another console or station: now ${shown(current[name])}`,
    })),
  );
}

/** What a change makes of the settings as they stand (it may throw to refuse). */
type Change = (current: StationSettings) => Partial<StationSettings>;

/**
 * Station settings, read synchronously from memory and written through the settings records:
 * the station's own SQLite, and in a lab the lab database for the lab-wide fields (SETTINGS_SCOPE).
 * Every change, made here or at another station of the lab, is announced to the consoles.
 */
export class SettingsStore {
  private cached: StationSettings;
  /** The lab-wide fields as the lab last gave them; null outside a lab. */
  private shared: StoredSettings | null = null;
  private lab: SettingsRecords | null = null;
  private unsubscribe: () => void = () => {};
  /** This station's reads and writes of the lab, one at a time, so an older answer never wins. */
  private labWork: Promise<unknown> = Promise.resolve();
  /** This station's settings writes, one at a time. */
  private writes: Promise<unknown> = Promise.resolve();
  private reloadQueued = false;

  /** Settings kept in the station's own records (its SQLite). */
  static async open(core: CoreContext, local: SettingsRecords): Promise<SettingsStore> {
    return new SettingsStore(core, local, (await local.load()) ?? {});
  }

  private constructor(
    private readonly core: CoreContext,
    private readonly local: SettingsRecords,
    private stored: StoredSettings,
  ) {
    this.cached = this.compose();
  }

  /**
   * From now on the lab-wide fields are the lab's: the lab's values replace this station's (its
   * own stay in its SQLite, untouched, for when it leaves the lab), or, when the lab has none
   * yet, this station's become the lab's (the first station wins).
   */
  async joinLab(lab: SettingsRecords): Promise<void> {
    this.lab = lab;
    this.unsubscribe = lab.subscribe(() => this.reloadFromLab());
    this.shared = await this.onLab(() => lab.seed(settingsIn('lab', this.cached)));
    this.refresh();
  }

  get(): StationSettings {
    return this.cached;
  }

  /** Adds a profile; a name already taken (in any letter case) is refused, never overwritten. */
  saveScanProfile(preset: ScanProfilePreset): Promise<StationSettings> {
    return this.write(['scanProfiles'], (current) => {
      const existing = current.scanProfiles.find((p) => sameName(p.name, preset.name));
      if (existing)
        throw conflict(
          `a scan profile named "${existing.name}" already exists: choose another name or delete it first`,
        );
      return { scanProfiles: [...current.scanProfiles, preset] };
    });
  }

  deleteScanProfile(name: string): Promise<StationSettings> {
    return this.write(['scanProfiles'], (current) => {
      if (!current.scanProfiles.some((p) => sameName(p.name, name))) throw notFound(`scan profile "${name}"`);
      return { scanProfiles: current.scanProfiles.filter((p) => !sameName(p.name, name)) };
    });
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

  /**
   * Saves the fields that differ from the current values (a form sends them all): unchanged
   * lab-wide fields need no lab, so a station's own fields save while the lab is away. With
   * `expected`, a field whose stored value is by then neither the one expected nor the new one
   * (another console or station changed it meanwhile) refuses the whole update: the check runs
   * inside the store's own atomic step, so two saves at once cannot both pass it.
   */
  async update({ expected = {}, ...patch }: SettingsUpdate): Promise<StationSettings> {
    const next = StationSettings.parse({ ...this.cached, ...patch });
    const changed = (Object.keys(patch) as SettingName[]).filter(
      (name) => !sameValue(next[name], this.cached[name]),
    );
    const values = Object.fromEntries(changed.map((name) => [name, next[name]])) as Partial<StationSettings>;
    return this.write(changed, (current) => {
      refuseChangedMeanwhile(current, values, expected);
      return values;
    });
  }

  /**
   * Writes a change to the fields named: in a lab, the lab-wide ones to the lab (first: when it
   * does not answer nothing is saved), the others to the station's SQLite. The change is worked
   * out again on what each store holds, so one made meanwhile at another station is kept; only
   * the fields named are written, so a stored field this version cannot read is left as it was.
   */
  private write(fields: SettingName[], change: Change): Promise<StationSettings> {
    const run = this.writes.then(() => this.writeNow(fields, change));
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async writeNow(fields: SettingName[], change: Change): Promise<StationSettings> {
    if (fields.length === 0) return this.cached;
    const lab = this.lab;
    const own = lab ? fields.filter((name) => SETTINGS_SCOPE[name] === 'station') : fields;
    // The lab's step works the whole change out on the lab's fields and this station's own, so
    // a change that this station's own fields refuse never reaches the lab. Writes here go one
    // at a time, so the station's own are still as that step saw them when they are written.
    if (lab && own.length < fields.length) this.shared = await this.saveToLab(lab, change);
    if (own.length > 0)
      this.stored = await this.local.save((stored) => {
        const current = this.compose(stored ?? {});
        const next = StationSettings.parse({ ...current, ...change(current) });
        return { ...stored, ...Object.fromEntries(own.map((name) => [name, next[name]])) };
      });
    return this.refresh();
  }

  private saveToLab(lab: SettingsRecords, change: Change): Promise<StoredSettings> {
    return this.onLab(async () => {
      let refused: unknown = null;
      try {
        return await lab.save((stored) => {
          try {
            const current = this.compose(this.stored, stored ?? {});
            return settingsIn('lab', StationSettings.parse({ ...current, ...change(current) }));
          } catch (error) {
            refused = error;
            // What the lab holds, read in the refused step: shown at once, so a form reading
            // the settings again after the refusal does not get the older values back.
            if (stored) this.shared = stored;
            throw error;
          }
        });
      } catch (error) {
        if (refused !== null) this.refresh();
        if (refused !== null || error instanceof StationError) throw error;
        throw unavailable(
          `the lab database did not answer (${(error as Error).message}), so nothing was saved: ` +
            `lab-wide settings (${settingsOf('lab').join(', ')}) change only while it is reachable; ` +
            `this station's own (${settingsOf('station').join(', ')}) can still be changed`,
        );
      }
    });
  }

  /** Another station changed the lab's settings, or the link was lost: read them again. */
  private reloadFromLab(): void {
    const lab = this.lab;
    if (!lab || this.reloadQueued) return;
    this.reloadQueued = true;
    this.onLab(async () => {
      this.reloadQueued = false;
      // A lab emptied meanwhile (a restored database) gets this station's values again.
      const shared = (await lab.load()) ?? (await lab.seed(settingsIn('lab', this.cached)));
      if (this.lab !== lab) return; // closed meanwhile
      this.shared = shared;
      this.refresh();
    }).catch((error: Error) =>
      // The last known values stay in use; the next announcement or reconnection reads again.
      this.core.logger.warn({ err: error.message }, 'could not read the lab’s settings'),
    );
  }

  private onLab<T>(work: () => Promise<T>): Promise<T> {
    const run = this.labWork.then(work, work);
    this.labWork = run.catch(() => {});
    return run;
  }

  /** Stops following the lab's changes (the records themselves are closed by their owner). */
  close(): void {
    this.unsubscribe();
    this.lab = null;
  }

  /** The settings in force: defaults, the station's own, and in a lab the lab's lab-wide fields. */
  private compose(stored: StoredSettings = this.stored, shared: StoredSettings | null = this.shared) {
    if (!shared) return { ...DEFAULT_SETTINGS, ...stored };
    return { ...DEFAULT_SETTINGS, ...settingsIn('station', stored), ...settingsIn('lab', shared) };
  }

  /** Takes up what the stores hold now and announces it when it changed anything. */
  private refresh(): StationSettings {
    const next = this.compose();
    if (!sameValue(next, this.cached)) {
      this.cached = next;
      this.core.events.emit('settings.changed', next);
    }
    return this.cached;
  }
}
