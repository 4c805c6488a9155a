import { useState, type FormEvent } from 'react';
import type {
  CommandInput,
  DeviceStatus,
  DiscoveredScanner,
  DiscoveryResult,
  ScanProfile,
} from '../../../shared/contract/index';
import { unsafeIdReason } from '../../../shared/domain/safe-id';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { deviceStatusReceived, useDevicesStore } from '../state/devices';
import { useIsSupervisor } from '../state/session';

/** A new scanner starts with the lab's most common profile; its card changes it afterwards. */
const DEFAULT_PROFILE: ScanProfile = { dpi: 300, mode: 'color', bitDepth: 8 };

const SOURCE_LABEL = { flatbed: 'flatbed', feeder: 'feeder', duplex: 'duplex' } as const;
const MODE_LABEL = { color: 'colour', gray: 'grey', bw: 'black & white' } as const;

/** A fleet name suggested from what the scanner calls itself: `Lab MFP 3000` → `lab-mfp-3000`. */
export function suggestedName(scanner: DiscoveredScanner, taken: ReadonlySet<string>): string {
  const base =
    scanner.name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 56) || 'scanner';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

/**
 * What "Add" submits: the driver and address discovery found, the name the operator chose. The
 * same shape an address typed by hand takes, so adding never depends on discovery.
 */
function deviceConfigFor(scanner: DiscoveredScanner, name: string): CommandInput<'devices.add'> {
  const config = { name, driver: scanner.driver, address: scanner.address, profile: DEFAULT_PROFILE };
  // The contract's DeviceConfig names driver and address once the fleet factory lands (issue 13).
  return config as unknown as CommandInput<'devices.add'>;
}

/** Where a fleet device is, in the form discovery reports (its config's address). */
function fleetAddress(device: DeviceStatus): string {
  const { address } = device as DeviceStatus & { address?: string };
  return address ?? `${device.host}:${device.port}`;
}

function AddForm({ scanner, onDone }: { scanner: DiscoveredScanner; onDone: () => void }) {
  const names = useDevicesStore((s) => s.byName);
  const [name, setName] = useState(() => suggestedName(scanner, new Set(Object.keys(names))));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const invalid = unsafeIdReason(name);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (invalid) return;
    setBusy(true);
    setError(null);
    try {
      deviceStatusReceived(await quire.call('devices.add', deviceConfigFor(scanner, name)));
      onDone();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="row device__actions" onSubmit={submit} aria-label={`Add ${scanner.name}`}>
      <label>
        Name in the fleet
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={invalid ? true : undefined}
          required
        />
      </label>
      <button type="submit" className="button button--small button--primary" disabled={busy || !!invalid}>
        Add scanner
      </button>
      <button type="button" className="button button--small" onClick={onDone}>
        Cancel
      </button>
      {invalid && <p className="form-error">Name: {invalid}</p>}
      <FormError error={error} />
    </form>
  );
}

function DiscoveredRow({ scanner }: { scanner: DiscoveredScanner }) {
  const supervisor = useIsSupervisor();
  const inFleet = useDevicesStore((s) =>
    Object.values(s.byName).find(
      (d) => scanner.urls.includes(fleetAddress(d)) || fleetAddress(d) === scanner.address,
    ),
  );
  const [adding, setAdding] = useState(false);
  const can = [...scanner.sources.map((s) => SOURCE_LABEL[s]), ...scanner.modes.map((m) => MODE_LABEL[m])];
  return (
    <li className="device" data-testid={`discovered-${scanner.id}`}>
      <header className="device__head">
        <h3>{scanner.name}</h3>
        {inFleet && <span className="badge badge--ok">added as {inFleet.name}</span>}
      </header>
      <dl className="facts facts--compact">
        <dt>Address</dt>
        <dd className="mono">{scanner.url}</dd>
        {scanner.urls.length > 1 && (
          <>
            <dt>Also at</dt>
            <dd className="mono">{scanner.urls.slice(1).join(', ')}</dd>
          </>
        )}
        <dt>Announces</dt>
        <dd>{can.length ? can.join(', ') : 'its capabilities once added'}</dd>
      </dl>
      {!inFleet &&
        (adding ? (
          <AddForm scanner={scanner} onDone={() => setAdding(false)} />
        ) : supervisor ? (
          <div className="row device__actions">
            <button type="button" className="button button--small" onClick={() => setAdding(true)}>
              Add…
            </button>
          </div>
        ) : (
          <p className="muted">A supervisor can add this scanner.</p>
        ))}
    </li>
  );
}

/**
 * Scanners found on the network and attached to this station, each with an "Add" action.
 * Looking takes a few seconds of listening, so it runs when asked, not on every visit.
 */
export function DiscoveredScanners() {
  const [result, setResult] = useState<DiscoveryResult | null>(null);
  const [looking, setLooking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function look() {
    setLooking(true);
    setError(null);
    try {
      setResult(await quire.call('devices.discover', {}));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLooking(false);
    }
  }

  return (
    <section aria-labelledby="discovered-title" data-testid="discovered-scanners">
      <div className="view__head">
        <h2 id="discovered-title">Scanners nearby</h2>
        <button type="button" className="button button--small" onClick={look} disabled={looking}>
          {looking ? 'Looking…' : result ? 'Look again' : 'Look for scanners'}
        </button>
      </div>
      <FormError error={error} />
      {result && (
        <>
          {result.problems.map((problem) => (
            <p key={problem} className="muted">
              {problem}
            </p>
          ))}
          {result.scanners.length === 0 ? (
            <p className="muted">
              No scanner answered within {result.seconds} s. A network scanner must be on this network segment
              with mDNS allowed; add one by its address otherwise.
            </p>
          ) : (
            <ul className="devices" style={{ listStyle: 'none', padding: 0 }}>
              {result.scanners.map((scanner) => (
                <DiscoveredRow key={scanner.id} scanner={scanner} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
