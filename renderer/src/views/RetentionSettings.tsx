import { useEffect, useState, type FormEvent } from 'react';
import type { RetentionPolicy } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { useIsSupervisor } from '../state/session';

type Keep = RetentionPolicy['keep'];

/**
 * Settings → Storage: how long the station keeps its own copy of a batch (staging and package)
 * once the package is verified at every destination it was sent to. A supervisor's choice; the
 * core refuses anyone else and never prunes before verification.
 */
export function RetentionSettings() {
  const supervisor = useIsSupervisor();
  const [keep, setKeep] = useState<Keep>('always');
  const [days, setDays] = useState('30');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const show = (policy: RetentionPolicy) => {
    setKeep(policy.keep);
    if (policy.keep === 'days') setDays(String(policy.days));
  };
  useEffect(() => {
    quire.call('transfer.retention', {}).then(show, (e) => setError(describeError(e)));
  }, []);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const retention: RetentionPolicy = keep === 'days' ? { keep, days: Number(days) } : { keep };
    try {
      show(await quire.call('transfer.setRetention', { retention }));
      setSaved(true);
    } catch (e) {
      setError(describeError(e));
    }
  }

  const choose = (next: Keep) => {
    setKeep(next);
    setSaved(false);
  };
  return (
    <form className="stack" onSubmit={save} aria-label="Staging copies">
      <fieldset className="stack" disabled={!supervisor}>
        <legend>Keep the station&apos;s copy of a batch (staging and package)</legend>
        <label className="radio">
          <input type="radio" name="keep" checked={keep === 'always'} onChange={() => choose('always')} />
          Always
        </label>
        <label className="radio">
          <input type="radio" name="keep" checked={keep === 'days'} onChange={() => choose('days')} />
          For some days after verified transfer
        </label>
        {keep === 'days' && (
          <label>
            Days to keep after verified transfer
            <input
              type="number"
              min={1}
              max={3650}
              value={days}
              onChange={(e) => {
                setDays(e.target.value);
                setSaved(false);
              }}
              required
            />
          </label>
        )}
        <label className="radio">
          <input
            type="radio"
            name="keep"
            checked={keep === 'until-verified'}
            onChange={() => choose('until-verified')}
          />
          Until verified at every destination it was sent to
        </label>
        <p className="muted">
          Nothing is pruned before the package is verified at every destination the batch was sent to, at
          least one of them checking every file. Superseded captures, which are in no package, are always
          kept; page records and the audit log stay.
        </p>
      </fieldset>
      {supervisor ? (
        <button type="submit" className="button">
          Save retention
        </button>
      ) : (
        <p className="muted">Supervisors choose how long copies are kept.</p>
      )}
      {saved && <p role="status">Retention saved.</p>}
      <FormError error={error} />
    </form>
  );
}
