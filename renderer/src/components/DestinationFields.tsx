import { useEffect, useState } from 'react';
import type { DestinationConfig } from '../../../shared/contract/index';
import { quire } from '../ipc/client';

/** Where the package goes: null = the station's automatic destinations; a list = exactly those. */
export type DestinationChoice = string[] | null;

/**
 * The New batch form's repository destinations: one box per destination configured in
 * Settings → Storage, the automatic ones ticked until someone changes the choice. Left as it
 * is, the manifest names none and the station's automatic destinations apply.
 */
export function DestinationFields({
  value,
  onChange,
  problem,
}: {
  value: DestinationChoice;
  onChange: (next: DestinationChoice) => void;
  problem?: string | undefined;
}) {
  const [destinations, setDestinations] = useState<DestinationConfig[] | null>(null);
  useEffect(() => {
    quire.call('transfer.destinations', {}).then(setDestinations, () => setDestinations([]));
  }, []);
  if (!destinations || destinations.length === 0) return null;
  const automatic = destinations.filter((d) => d.automatic).map((d) => d.name);
  const chosen = value ?? automatic;
  const toggle = (name: string, on: boolean) => {
    const next = on ? [...new Set([...chosen, name])] : chosen.filter((n) => n !== name);
    const same = next.length === automatic.length && next.every((n) => automatic.includes(n));
    onChange(same ? null : next);
  };
  return (
    <fieldset className="row" aria-describedby={problem ? 'new-batch-transfer-error' : undefined}>
      <legend>Send the package to</legend>
      {destinations.map((d) => (
        <label key={d.name}>
          <input
            type="checkbox"
            checked={chosen.includes(d.name)}
            onChange={(e) => toggle(d.name, e.target.checked)}
          />
          {d.name}
          {d.automatic ? ' (automatic)' : ''}
        </label>
      ))}
      {problem && (
        <p id="new-batch-transfer-error" className="form-error" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
