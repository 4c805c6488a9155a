import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { SimulatorFault } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';

/** The faults worth practising, in the words an operator meets them. */
const FAULTS = {
  jamAtPage: 'Paper jam at page…',
  corruptChecksum: 'Checksum mismatch at page…',
  dropMidPage: 'Connection drops during page…',
  clear: 'Clear all faults',
} as const;
type FaultKind = keyof typeof FAULTS;

/** Settings → Training: practice scanners and their faults (only while training mode is on). */
export function TrainingSettings() {
  const [scanners, setScanners] = useState<string[]>([]);
  const [target, setTarget] = useState('');
  const [kind, setKind] = useState<FaultKind>('jamAtPage');
  const [page, setPage] = useState('2');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    () =>
      quire.call('training.simulators', {}).then(
        (names) => {
          setScanners(names);
          setTarget((current) => current || names[0] || '');
        },
        (e) => setError(describeError(e)),
      ),
    [],
  );
  useEffect(() => void load(), [load]);

  async function add() {
    setError(null);
    try {
      const device = await quire.call('training.addSimulator', {});
      setStatus(`Added the practice scanner ${device.name}; it is on the Devices view.`);
      setTarget(device.name);
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function inject(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const fault: SimulatorFault = kind === 'clear' ? { kind } : { kind, page: Number(page) };
    try {
      await quire.call('training.injectFault', { name: target, fault });
      setStatus(
        kind === 'clear'
          ? `${target} has no faults armed.`
          : `${target} will fail at page ${page} of its next batch: ${FAULTS[kind].replace('…', ` ${page}`)}.`,
      );
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <section aria-labelledby="training-title">
      <h2 id="training-title">Training</h2>
      <p className="muted">
        Practice scanners behave like real ones. Arm a fault, start a batch on the scanner, and let the
        operator recover from it.
      </p>
      <button type="button" className="button" onClick={() => void add()}>
        Add a simulated scanner
      </button>
      {scanners.length > 0 && (
        <form className="row" onSubmit={inject} aria-label="Cause a fault">
          <label>
            Scanner
            <select value={target} onChange={(e) => setTarget(e.target.value)}>
              {scanners.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <label>
            Fault
            <select value={kind} onChange={(e) => setKind(e.target.value as FaultKind)}>
              {Object.entries(FAULTS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          {kind !== 'clear' && (
            <label>
              Page
              <input inputMode="numeric" value={page} onChange={(e) => setPage(e.target.value)} size={4} />
            </label>
          )}
          <button type="submit" className="button button--primary">
            Cause fault
          </button>
        </form>
      )}
      {status && <p role="status">{status}</p>}
      <FormError error={error} />
    </section>
  );
}
