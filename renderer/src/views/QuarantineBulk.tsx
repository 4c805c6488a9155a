import { useEffect, useState, type FormEvent } from 'react';
import { DecisionReason } from '../components/DecisionReason';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { useIsSupervisor } from '../state/session';

type Decision = 'release' | 'requeue' | 'reject';

const LABELS: Record<Decision, string> = {
  release: 'Release them — accept and continue',
  requeue: 'Requeue them — run each again from the stage that failed',
  reject: 'Reject them — stop these batches (files are kept)',
};

/**
 * One decision for the selected batches. The station decides (and audits) each on its own, with
 * this reason and note, and says which it refused and why.
 */
export function QuarantineBulk({ batchIds, onDone }: { batchIds: string[]; onDone: () => void }) {
  const isSupervisor = useIsSupervisor();
  const [reasons, setReasons] = useState<string[]>([]);
  const [decision, setDecision] = useState<Decision>('requeue');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);

  useEffect(() => {
    quire.call('settings.get', {}).then(
      (s) => setReasons(s.quarantineReasons),
      () => {},
    );
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const result = await quire.call('quarantine.decideMany', { batchIds, decision, reason, note });
      const refused = result.refused.map((r) => `${r.batchId}: ${r.message}`).join('; ');
      setOutcome(
        `${result.decided.length} decided (${decision})${refused ? `; not decided: ${refused}` : ''}.`,
      );
      setReason('');
      setNote('');
      onDone();
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <form
      className="decision bulk"
      onSubmit={submit}
      aria-labelledby="bulk-title"
      data-testid="bulk-decision"
    >
      <h2 id="bulk-title">
        Decide for {batchIds.length} selected {batchIds.length === 1 ? 'batch' : 'batches'}
      </h2>
      {!isSupervisor && (
        <p className="decision__why-not">
          Only a supervisor decides on quarantined batches; ask one to review these.
        </p>
      )}
      <fieldset className="decision__fields" disabled={!isSupervisor}>
        <fieldset>
          <legend>What happens to each</legend>
          {(['release', 'requeue', 'reject'] as const).map((d) => (
            <label key={d} className="radio">
              <input
                type="radio"
                name="bulk-decision"
                value={d}
                checked={decision === d}
                onChange={() => setDecision(d)}
              />
              {LABELS[d]}
            </label>
          ))}
        </fieldset>
        <DecisionReason
          reasons={reasons}
          reason={reason}
          onReason={setReason}
          note={note}
          onNote={setNote}
          reasonLabel="Reason (recorded for each batch)"
          noteRows={2}
        />
        <FormError error={error} />
        <button
          type="submit"
          className={`button ${decision === 'reject' ? 'button--danger' : 'button--primary'}`}
        >
          Record {batchIds.length} {batchIds.length === 1 ? 'decision' : 'decisions'}
        </button>
      </fieldset>
      {outcome && (
        <p role="status" data-testid="bulk-outcome">
          {outcome}
        </p>
      )}
    </form>
  );
}
