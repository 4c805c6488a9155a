import { useState } from 'react';
import { quire } from '../ipc/client';
import { describeError, FormError } from './FormError';

/**
 * "Reset after jam…" with its question: RESET is sent only once the person says the feeder is
 * clear. The same control on the device card and in the banner every view shows.
 */
export function JamReset({ name }: { name: string }) {
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reset = async () => {
    setError(null);
    try {
      await quire.call('devices.reset', { name });
      setConfirm(false);
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <>
      {confirm ? (
        <>
          <span>Is the feeder clear?</span>
          <button type="button" className="button button--small button--primary" onClick={reset}>
            Yes, reset
          </button>
          <button type="button" className="button button--small" onClick={() => setConfirm(false)}>
            Not yet
          </button>
        </>
      ) : (
        <button
          type="button"
          className="button button--small button--primary"
          onClick={() => setConfirm(true)}
        >
          Reset after jam…
        </button>
      )}
      <FormError error={error} />
    </>
  );
}
