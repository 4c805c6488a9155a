import { useState, type FormEvent } from 'react';
import type { DeviceStatus } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { deviceStatusReceived } from '../state/devices';

/** How each driver's address is written, for the operator typing one. */
const ADDRESS_HINT: Record<string, string> = {
  scanlink: 'HOST:PORT, e.g. 10.0.0.7:9100',
  escl: 'http(s)://HOST:PORT/eSCL, e.g. http://10.0.0.7:80/eSCL',
  sane: 'a SANE device name, e.g. fujitsu:fi-7160:1234',
};
const DRIVER_LABEL: Record<string, string> = {
  scanlink: 'ScanLink/1',
  escl: 'eSCL (AirScan, driverless)',
  sane: 'SANE (Linux scanner drivers)',
};

/**
 * Add a scanner, or edit one (from its card): driver, address, default profile, and whether the
 * next batch waits for paper. A supervisor's form; the station checks the address and refuses a
 * driver it lacks.
 */
export function DeviceForm({ device, onDone }: { device?: DeviceStatus; onDone: () => void }) {
  const [form, setForm] = useState({
    name: device?.name ?? '',
    driver: device?.driver ?? 'escl',
    address: device?.address ?? (device ? `${device.host}:${device.port}` : ''),
    dpi: String(device?.profile.dpi ?? 300),
    mode: device?.profile.mode ?? 'color',
    bitDepth: String(device?.profile.bitDepth ?? 8),
    waitForPaper: device?.waitForPaper ?? false,
  });
  const [error, setError] = useState<string | null>(null);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const config = {
      name: form.name.trim(),
      driver: form.driver as 'scanlink' | 'escl' | 'sane',
      address: form.address.trim(),
      profile: {
        dpi: Number(form.dpi),
        mode: form.mode as 'color' | 'gray' | 'bw',
        bitDepth: Number(form.bitDepth) as 1 | 8 | 16,
      },
      waitForPaper: form.waitForPaper,
    };
    try {
      deviceStatusReceived(await quire.call(device ? 'devices.update' : 'devices.add', config));
      onDone();
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <form
      className="device-form"
      onSubmit={submit}
      aria-label={device ? `Edit ${device.name}` : 'Add a scanner'}
    >
      <label>
        Name
        <input value={form.name} onChange={set('name')} disabled={Boolean(device)} required />
      </label>
      <label>
        Driver
        <select value={form.driver} onChange={set('driver')} disabled={device?.simulated}>
          {Object.entries(DRIVER_LABEL).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Address
        <input
          value={form.address}
          onChange={set('address')}
          placeholder={ADDRESS_HINT[form.driver]}
          disabled={device?.simulated}
          required
        />
      </label>
      <div className="row">
        <label>
          DPI
          <input value={form.dpi} onChange={set('dpi')} inputMode="numeric" />
        </label>
        <label>
          Mode
          <select value={form.mode} onChange={set('mode')}>
            <option value="color">colour</option>
            <option value="gray">greyscale</option>
            <option value="bw">bitonal</option>
          </select>
        </label>
        <label>
          Bit depth
          <select value={form.bitDepth} onChange={set('bitDepth')}>
            <option>1</option>
            <option>8</option>
            <option>16</option>
          </select>
        </label>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={form.waitForPaper}
          onChange={(e) => setForm((f) => ({ ...f, waitForPaper: e.target.checked }))}
        />
        Start the next batch waiting for this scanner when paper is loaded
      </label>
      <FormError error={error} />
      <div className="row">
        <button type="submit" className="button button--small button--primary">
          {device ? 'Save' : 'Add scanner'}
        </button>
        <button type="button" className="button button--small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The card's line about wait-for-paper: on or off, and the batch waiting, if any. */
export function WaitForPaperNote({ device }: { device: DeviceStatus }) {
  if (!device.waitForPaper) return null;
  return (
    <p className="muted" data-testid="wait-for-paper">
      {device.waitingBatch
        ? `${device.waitingBatch} waits for paper: load the feeder to start it (empty it first if sheets are left).`
        : 'Wait for paper: the next batch starts when paper is loaded.'}
    </p>
  );
}
