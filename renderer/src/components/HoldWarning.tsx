import { useState, type FormEvent } from 'react';
import type { ScannerHold } from '../../../shared/contract/index';
import { quire } from '../ipc/client';
import { deviceWorkReceived } from '../state/devices';
import { describeError, FormError } from './FormError';

/**
 * A scanner held after batch upon batch failed at capture: says why, and takes a person's
 * word (what they checked) before new batches start there again. The station records it.
 */
export function HoldWarning({ device, hold }: { device: string; hold: ScannerHold }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function acknowledge(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      deviceWorkReceived(await quire.call('devices.acknowledgeHold', { name: device, note }));
      setNote('');
    } catch (e) {
      setError(describeError(e));
    }
  }
  return (
    <div className="device__hold" role="alert" data-testid="device-hold">
      <p>
        <strong>No new batches on {device}</strong>: {hold.reason}.
      </p>
      <p className="muted">Batches: {hold.batches.join(', ')}</p>
      <form className="row" onSubmit={acknowledge}>
        <label>
          What did you check?
          <input value={note} onChange={(e) => setNote(e.target.value)} required />
        </label>
        <button type="submit" className="button button--small button--primary">
          Scanner checked
        </button>
      </form>
      <FormError error={error} />
    </div>
  );
}
