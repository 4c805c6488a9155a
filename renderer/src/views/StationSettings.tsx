import { useEffect, useState, type FormEvent } from 'react';
import type { StationSettings as Settings } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { useIsSupervisor } from '../state/session';

/** Names, idle lock and the quarantine reasons; supervisors edit, main enforces that. */
export function StationSettings() {
  const supervisor = useIsSupervisor();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [reasons, setReasons] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    quire.call('settings.get', {}).then(
      (s) => {
        setSettings(s);
        setReasons(s.quarantineReasons.join('\n'));
      },
      (e) => setError(describeError(e)),
    );
  }, []);

  if (!settings) return <FormError error={error} />;

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!settings) return;
    setError(null);
    setSaved(false);
    try {
      const next = await quire.call('settings.update', {
        organizationName: settings.organizationName,
        stationName: settings.stationName,
        idleLockMinutes: settings.idleLockMinutes,
        quarantineReasons: reasons
          .split('\n')
          .map((r) => r.trim())
          .filter(Boolean),
      });
      setSettings(next);
      setSaved(true);
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <form className="stack" onSubmit={save} aria-labelledby="station-settings-title">
      <h2 id="station-settings-title">Station settings</h2>
      <fieldset disabled={!supervisor} className="stack plain">
        <label>
          Organization
          <input
            value={settings.organizationName}
            onChange={(e) => setSettings({ ...settings, organizationName: e.target.value })}
          />
        </label>
        <label>
          Station name
          <input
            value={settings.stationName}
            onChange={(e) => setSettings({ ...settings, stationName: e.target.value })}
          />
        </label>
        <label>
          Lock the console after (minutes idle)
          <input
            type="number"
            min={1}
            max={240}
            value={settings.idleLockMinutes}
            onChange={(e) => setSettings({ ...settings, idleLockMinutes: Number(e.target.value) })}
          />
        </label>
        <label>
          Quarantine decision reasons (one per line)
          <textarea rows={6} value={reasons} onChange={(e) => setReasons(e.target.value)} />
        </label>
      </fieldset>
      <FormError error={error} />
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
