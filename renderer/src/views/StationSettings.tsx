import { useEffect, useState, type FormEvent } from 'react';
import { QuireCommandError, type StationSettings as Settings } from '../../../shared/contract/index';
import { BATCH_NAME_PLACEHOLDERS } from '../../../shared/domain/batch-name';
import {
  commandMessage,
  describeUnplaced,
  FieldError,
  FormError,
  issueFor,
  issuesOf,
} from '../components/FormError';
import { quire } from '../ipc/client';
import { useIsSupervisor } from '../state/session';

/** Names, idle lock and the quarantine reasons; supervisors edit, main enforces that. */
export function StationSettings() {
  const supervisor = useIsSupervisor();
  const [settings, setSettings] = useState<Settings | null>(null);
  // What the form was filled from: only fields edited since are sent, so a change made meanwhile
  // by another supervisor (or station, in a lab) to a field left alone here is not undone.
  const [loaded, setLoaded] = useState<Settings | null>(null);
  const [reasons, setReasons] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    quire.call('settings.get', {}).then(
      (s) => {
        setSettings(s);
        setLoaded(s);
        setReasons(s.quarantineReasons.join('\n'));
      },
      (e) => setFailure(e),
    );
  }, []);

  if (!settings) return <FormError error={error ?? describeUnplaced(failure, [])} />;
  const problem = (path: string) => issueFor(issuesOf(failure), path);
  // A change drops the old messages: they described the previous values.
  const change = (patch: Partial<Settings>) => {
    setSettings({ ...settings, ...patch });
    setFailure(null);
    setError(null);
    setSaved(false);
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!settings || !loaded) return;
    setError(null);
    setFailure(null);
    setSaved(false);
    const form: Partial<Settings> = {
      organizationName: settings.organizationName,
      stationName: settings.stationName,
      idleLockMinutes: settings.idleLockMinutes,
      diskWarningHours: settings.diskWarningHours,
      batchNameTemplate: settings.batchNameTemplate,
      trainingMode: settings.trainingMode,
      quarantineReasons: reasons
        .split('\n')
        .map((r) => r.trim())
        .filter(Boolean),
    };
    const edited = Object.fromEntries(
      Object.entries(form).filter(
        ([name, value]) => JSON.stringify(value) !== JSON.stringify(loaded[name as keyof Settings]),
      ),
    ) as Partial<Settings>;
    // What each edited field was when the form was filled: the core refuses the save when one
    // of them was changed meanwhile elsewhere, instead of overwriting that change unseen.
    const expected = Object.fromEntries(
      Object.keys(edited).map((name) => [name, loaded[name as keyof Settings]]),
    ) as Partial<Settings>;
    try {
      const next = await quire.call('settings.update', { ...edited, expected });
      setSettings(next);
      setLoaded(next);
      setReasons(next.quarantineReasons.join('\n'));
      setSaved(true);
    } catch (e) {
      if (e instanceof QuireCommandError && e.code === 'CONFLICT') {
        await showStored(edited, e);
        setError(
          `${commandMessage(e)} The form shows the stored values now, with your other changes still in it.`,
        );
      } else setFailure(e);
    }
  }

  /**
   * After a refused save: the form shows what is stored now, the fields changed elsewhere with
   * their new values and the other edits kept, so a second save carries them on the new values.
   */
  async function showStored(edited: Partial<Settings>, refusal: QuireCommandError) {
    const stored = await quire.call('settings.get', {}).catch(() => null);
    if (!stored) return;
    const moved = new Set(refusal.issues.map((issue) => issue.path));
    const kept = Object.fromEntries(Object.entries(edited).filter(([name]) => !moved.has(name)));
    const shown = { ...stored, ...kept };
    setSettings(shown);
    setLoaded(stored);
    setReasons(shown.quarantineReasons.join('\n'));
  }

  return (
    <form className="stack" onSubmit={save} aria-labelledby="station-settings-title">
      <h2 id="station-settings-title">Station settings</h2>
      <fieldset disabled={!supervisor} className="stack plain">
        <label>
          Organization
          <input
            value={settings.organizationName}
            onChange={(e) => change({ organizationName: e.target.value })}
          />
        </label>
        <label>
          Station name
          <input value={settings.stationName} onChange={(e) => change({ stationName: e.target.value })} />
        </label>
        <label>
          Lock the console after (minutes idle)
          <input
            type="number"
            min={1}
            max={240}
            value={settings.idleLockMinutes}
            onChange={(e) => change({ idleLockMinutes: Number(e.target.value) })}
          />
        </label>
        <label>
          Warn about disk space when less than this many hours of scanning fit
          <input
            type="number"
            min={0.25}
            max={72}
            step={0.25}
            value={settings.diskWarningHours}
            onChange={(e) => change({ diskWarningHours: Number(e.target.value) })}
            aria-invalid={Boolean(problem('diskWarningHours'))}
            aria-describedby={problem('diskWarningHours') ? 'disk-hours-error' : undefined}
          />
        </label>
        <FieldError id="disk-hours-error" message={problem('diskWarningHours')} />
        <label>
          Batch-name template
          <input
            value={settings.batchNameTemplate}
            placeholder="{collection}-{date}-{seq}"
            onChange={(e) => change({ batchNameTemplate: e.target.value })}
            aria-invalid={Boolean(problem('batchNameTemplate'))}
            aria-describedby={`template-help${problem('batchNameTemplate') ? ' template-error' : ''}`}
          />
        </label>
        <p id="template-help" className="rules">
          New batch proposes names from it; leave it empty to type names by hand.{' '}
          {Object.entries(BATCH_NAME_PLACEHOLDERS)
            .map(([name, meaning]) => `{${name}}: ${meaning}`)
            .join('; ')}
          .
        </p>
        <FieldError id="template-error" message={problem('batchNameTemplate')} />
        <label className="radio">
          <input
            type="checkbox"
            checked={settings.trainingMode}
            onChange={(e) => change({ trainingMode: e.target.checked })}
          />
          Training mode: supervisors may add simulated scanners and cause jams and faults (leave off on a
          production station)
        </label>
        <label>
          Quarantine decision reasons (one per line)
          <textarea rows={6} value={reasons} onChange={(e) => setReasons(e.target.value)} />
        </label>
      </fieldset>
      <FormError error={error ?? describeUnplaced(failure, ['diskWarningHours', 'batchNameTemplate'])} />
      {saved && <p role="status">Saved.</p>}
      {supervisor ? (
        <button type="submit" className="button button--primary">
          Save settings
        </button>
      ) : (
        <p className="muted">Only supervisors change settings.</p>
      )}
    </form>
  );
}
