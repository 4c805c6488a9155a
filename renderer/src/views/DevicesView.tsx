import { useEffect, useState } from 'react';
import type { DeviceStatus } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { deviceListReceived, useActiveAlerts, useDevice, useDeviceNames } from '../state/devices';
import { newBatchRequested } from '../state/ui';
import { JamReset } from '../components/JamReset';
import { alertSoundChosen, stuckBatch, useAlertSound } from '../state/attention';

const STATE_TONE: Record<DeviceStatus['state'], 'ok' | 'busy' | 'bad' | 'muted'> = {
  OFFLINE: 'bad',
  CONNECTING: 'busy',
  IDLE: 'ok',
  READY: 'ok',
  FEEDING: 'busy',
  CAPTURING: 'busy',
  FLUSHING: 'busy',
  JAMMED: 'bad',
  ERROR: 'bad',
};

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

function DeviceCard({ name }: { name: string }) {
  const device = useDevice(name);
  const [error, setError] = useState<string | null>(null);
  if (!device) return null;

  const act = async (command: 'devices.connect' | 'devices.disconnect' | 'devices.acknowledgeAlert') => {
    setError(null);
    try {
      await quire.call(command, { name });
    } catch (e) {
      setError(describeError(e));
    }
  };
  const online = device.state !== 'OFFLINE' && device.state !== 'CONNECTING';
  const bufferShare = device.buffered > 0 ? Math.min(1, device.buffered / (100 * 1024 * 1024)) : 0;

  return (
    <article
      className={`device device--${STATE_TONE[device.state]}`}
      aria-labelledby={`device-${name}`}
      data-testid={`device-${name}`}
    >
      <header className="device__head">
        <h2 id={`device-${name}`}>{name}</h2>
        <span className={`badge badge--${STATE_TONE[device.state]}`} data-testid="device-state">
          {device.state}
        </span>
      </header>
      {device.alert && (
        <div className="device__alert" role="alert">
          <strong>{device.alert.code.replace('_', ' ')}</strong>: {device.alert.message}. Clear the feeder,
          then reset.
        </div>
      )}
      <dl className="facts facts--compact">
        <dt>Scanner</dt>
        <dd>
          {device.identity
            ? `${device.identity.vendor} ${device.identity.model} · ${device.identity.serial}`
            : '—'}
        </dd>
        <dt>Address</dt>
        <dd className="mono">
          {device.host}:{device.port}
          {device.simulated ? ' (simulated)' : ''}
        </dd>
        <dt>Profile</dt>
        <dd>
          {device.profile.dpi} dpi · {device.profile.mode} · {device.profile.bitDepth}-bit
        </dd>
        <dt>Feeder</dt>
        <dd>{device.adf ?? '—'}</dd>
        <dt>Job</dt>
        <dd>
          {stuckBatch(device) ? `${stuckBatch(device)}${device.page ? `, page ${device.page}` : ''}` : 'none'}
        </dd>
        <dt>Throughput</dt>
        <dd>{device.pagesPerMinute} pages/min</dd>
        <dt>Circuit</dt>
        <dd>{device.breaker}</dd>
        <dt>Last fault</dt>
        <dd>{device.lastFault ? `${device.lastFault.code} — ${device.lastFault.message}` : 'none'}</dd>
      </dl>
      <div className="flush">
        <span>
          Buffer:{' '}
          {device.flush === 'flushing' ? 'flushing' : device.flush === 'capturing' ? 'capturing' : 'idle'},{' '}
          {formatBytes(device.buffered)} in the scanner
        </span>
        <meter min={0} max={1} value={bufferShare} aria-label={`${name} buffer still to flush`} />
      </div>
      {device.lastError && device.state === 'OFFLINE' && <p className="muted">Link: {device.lastError}</p>}
      <FormError error={error} />
      <div className="row device__actions">
        <button
          type="button"
          className="button button--small button--primary"
          disabled={!online || device.state === 'JAMMED'}
          onClick={() => newBatchRequested(name)}
        >
          Start a batch here…
        </button>
        {online ? (
          <button type="button" className="button button--small" onClick={() => act('devices.disconnect')}>
            Disconnect
          </button>
        ) : (
          <button type="button" className="button button--small" onClick={() => act('devices.connect')}>
            Connect
          </button>
        )}
        {device.state === 'JAMMED' && <JamReset name={name} />}
        {device.alert && device.state !== 'JAMMED' && (
          <button
            type="button"
            className="button button--small"
            onClick={() => act('devices.acknowledgeAlert')}
          >
            Acknowledge alert
          </button>
        )}
      </div>
    </article>
  );
}

export function DevicesView() {
  const names = useDeviceNames();
  const alerts = useActiveAlerts();
  const sound = useAlertSound();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    quire.call('devices.list', {}).then(deviceListReceived, (e) => setError(describeError(e)));
  }, []);

  return (
    <section aria-labelledby="devices-title" className="view">
      <div className="view__head">
        <h1 id="devices-title">Devices</h1>
        <span className="muted">
          {alerts.length ? `${alerts.length} alert(s) need attention` : 'No alerts'}
        </span>
        <label className="row">
          <input type="checkbox" checked={sound} onChange={(e) => alertSoundChosen(e.target.checked)} />
          Sound when a scanner needs a person
        </label>
      </div>
      <FormError error={error} />
      {names.length === 0 ? (
        <p className="muted">No scanners are configured.</p>
      ) : (
        <div className="devices">
          {names.map((name) => (
            <DeviceCard key={name} name={name} />
          ))}
        </div>
      )}
    </section>
  );
}
