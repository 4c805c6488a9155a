import { useEffect, useState, type FormEvent } from 'react';
import { DecisionReason } from '../components/DecisionReason';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { useCurrentUser, useIsSupervisor } from '../state/session';

type Decision = 'release' | 'requeue' | 'reject';

/**
 * Release, requeue (the batch or the chosen pages) or reject, always with a reason from the
 * configured list plus free text. Shown to everyone; main refuses it to anyone but a supervisor.
 */
export function DecisionForm({
  batchId,
  chosenPages,
  onDecided,
}: {
  batchId: string;
  chosenPages: number[];
  onDecided?: () => void;
}) {
  const isSupervisor = useIsSupervisor();
  const user = useCurrentUser();
  const [reasons, setReasons] = useState<string[]>([]);
  const [decision, setDecision] = useState<Decision>('release');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    quire.call('settings.get', {}).then(
      (s) => setReasons(s.quarantineReasons),
      () => {},
    );
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const base = { batchId, reason, note };
      if (decision === 'requeue') {
        await quire.call('quarantine.decide', {
          ...base,
          decision,
          ...(chosenPages.length ? { pages: chosenPages } : {}),
        });
      } else {
        await quire.call('quarantine.decide', { ...base, decision });
      }
      setReason('');
      setNote('');
      onDecided?.();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="decision"
      onSubmit={submit}
      aria-labelledby="decision-title"
      aria-describedby={isSupervisor ? undefined : 'decision-why-not'}
    >
      <h3 id="decision-title">Decision</h3>
      {!isSupervisor && (
        <p className="decision__why-not" id="decision-why-not" data-testid="decision-why-not">
          Only a supervisor decides on a quarantined batch. You are signed in as{' '}
          {user?.displayName ?? user?.username ?? 'an operator'}, an operator: ask a supervisor to review it.
        </p>
      )}
      <fieldset className="decision__fields" disabled={!isSupervisor}>
        <fieldset>
          <legend>What happens to {batchId}</legend>
          {(['release', 'requeue', 'reject'] as const).map((d) => (
            <label key={d} className="radio">
              <input
                type="radio"
                name="decision"
                value={d}
                checked={decision === d}
                onChange={() => setDecision(d)}
              />
              {d === 'release' && 'Release — accept and continue'}
              {d === 'requeue' &&
                (chosenPages.length
                  ? `Requeue pages ${chosenPages.join(', ')} — recapture them`
                  : 'Requeue the batch — run it again')}
              {d === 'reject' && 'Reject — stop this batch (files are kept)'}
            </label>
          ))}
        </fieldset>
        <DecisionReason reasons={reasons} reason={reason} onReason={setReason} note={note} onNote={setNote} />
        <FormError error={error} />
        <button
          type="submit"
          className={`button ${decision === 'reject' ? 'button--danger' : 'button--primary'}`}
          disabled={busy}
        >
          Record decision
        </button>
      </fieldset>
    </form>
  );
}
