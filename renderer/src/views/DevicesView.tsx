import { useEffect, useRef, useState } from 'react';
import type { DeviceStatus, DeviceWork } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { HoldWarning } from '../components/HoldWarning';
import { JamReset } from '../components/JamReset';
import { PagePreview } from '../components/PagePreview';
import { Progress } from '../components/Progress';
import { quire } from '../ipc/client';
import { alertSoundChosen, stuckBatch, useAlertSound } from '../state/attention';
import {
  deviceListReceived,
  deviceWorkListReceived,
  useActiveAlerts,
  useDevice,
  useDeviceNames,
  useDeviceWork,
} from '../state/devices';
import { useCurrentUser } from '../state/session';
import { newBatchRequested } from '../state/ui';
import { DeviceForm, WaitForPaperNote } from './DeviceForm';
import { DiscoveredScanners } from './DiscoveredScanners';

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

/** The link to the scanner, in words (the circuit breaker behind it is the station's business). */
const LINK_WORDS: Record<DeviceStatus['breaker'], string> = {
  closed: 'Working normally',
  open: 'Not answering; the station tries again shortly',
  'half-open': 'Trying the scanner again',
};

const MODE_WORDS: Record<DeviceStatus['profile']['mode'], string> = {
  color: 'colour',
  gray: 'greyscale',
  bw: 'bitonal',
};

const profileText = (p: DeviceStatus['profile']) =>
  `${p.dpi} dpi · ${MODE_WORDS[p.mode]} · ${p.bitDepth}-bit`;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

const clockTime = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * Bytes still in the scanner, against the most this scanner has reported holding: the meter's
 * scale follows the scanner, not a guess at its memory.
 */
function BufferMeter({ device }: { device: DeviceStatus }) {
  const peak = useRef(0);
  peak.current = Math.max(peak.current, device.buffered);
  const scale = Math.max(peak.current, 1024 * 1024);
  const words =
    device.flush === 'flushing'
      ? 'sending its last pages'
      : device.flush === 'capturing'
        ? 'capturing'
        : 'idle';
  return (
    <div className="flush">
      <span>
        Scanner memory: {formatBytes(device.buffered)} still to send ({words}; most seen{' '}
        {formatBytes(peak.current)})
      </span>
      <meter
        min={0}
        max={scale}
        value={device.buffered}
        aria-label={`${device.name}: bytes still in the scanner`}
      />
    </div>
  );
}

function CurrentJob({ work }: { work: DeviceWork }) {
  const job = work.current!;
  return (
    <div className="device__job" data-testid="device-job">
      <PagePreview batchId={job.batchId} page={job.lastPage} />
      <div className="device__job-facts">
        <p className="device__job-title">
          <span className="mono">{job.batchId}</span> — {job.title}
        </p>
        <p className="device__page" data-testid="device-page">
          {job.pagesExpected
            ? `Page ${Math.min(job.pagesDone + 1, job.pagesExpected)} of ${job.pagesExpected}`
            : `Page ${job.pagesDone + 1}`}
        </p>
        <Progress done={job.pagesDone} expected={job.pagesExpected} label={`Pages of ${job.batchId}`} />
        <p data-testid="device-rate">
          {job.pagesPerMinute !== null ? `${job.pagesPerMinute} pages/min` : 'Measuring the rate…'}
          {job.finishAt ? ` · finishes about ${clockTime(job.finishAt)}` : ''}
        </p>
        <p data-testid="device-job-profile">Profile of this batch: {profileText(job.profile)}</p>
      </div>
    </div>
  );
}

function DeviceCard({ name }: { name: string }) {
  const device = useDevice(name);
  const work = useDeviceWork(name);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const supervisor = useCurrentUser()?.role === 'supervisor';
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
  const waiting = work?.waiting.length ?? 0;
  const job = work?.current?.batchId ?? stuckBatch(device);

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
      <WaitForPaperNote device={device} />
      {editing && <DeviceForm device={device} onDone={() => setEditing(false)} />}
      {work?.hold && <HoldWarning device={name} hold={work.hold} />}
      {work?.current ? (
        <CurrentJob work={work} />
      ) : (
        <p className="device__idle muted">{job ? `Job: ${job}` : 'No batch on this scanner.'}</p>
      )}
      <p data-testid="device-waiting">
        {waiting === 0 ? 'No batches waiting' : `${waiting} ${waiting === 1 ? 'batch' : 'batches'} waiting`}
      </p>
      <dl className="facts facts--compact">
        <dt>Scanner</dt>
        <dd>
          {device.identity
            ? `${device.identity.vendor} ${device.identity.model} · ${device.identity.serial}`
            : '—'}
        </dd>
        <dt>Address</dt>
        <dd className="mono">
          {device.address ?? `${device.host}:${device.port}`}
          {device.simulated ? ' (simulated)' : ''}
        </dd>
        <dt>Default profile</dt>
        <dd>{profileText(device.profile)}</dd>
        <dt>Feeder</dt>
        <dd>
          {device.adf === 'LOADED'
            ? 'paper loaded'
            : device.adf === 'EMPTY'
              ? 'empty'
              : device.adf === 'JAM'
                ? 'jammed'
                : '—'}
        </dd>
        <dt>Connection</dt>
        <dd data-testid="device-link">{online ? LINK_WORDS[device.breaker] : 'Not connected'}</dd>
        <dt>Last fault</dt>
        <dd>{device.lastFault ? `${device.lastFault.code} — ${device.lastFault.message}` : 'none'}</dd>
      </dl>
      <BufferMeter device={device} />
      {device.lastError && device.state === 'OFFLINE' && <p className="muted">Link: {device.lastError}</p>}
      <FormError error={error} />
      <div className="row device__actions">
        <button
          type="button"
          className="button button--small button--primary"
          disabled={!online || device.state === 'JAMMED' || Boolean(work?.hold)}
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
        {supervisor && !editing && (
          <button type="button" className="button button--small" onClick={() => setEditing(true)}>
            Edit…
          </button>
        )}
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
  const [adding, setAdding] = useState(false);
  const supervisor = useCurrentUser()?.role === 'supervisor';

  useEffect(() => {
    quire.call('devices.list', {}).then(deviceListReceived, (e) => setError(describeError(e)));
    quire.call('devices.work', {}).then(deviceWorkListReceived, (e) => setError(describeError(e)));
  }, []);

  return (
    <section aria-labelledby="devices-title" className="view">
      <div className="view__head">
        <h1 id="devices-title">Devices</h1>
        <span className="muted">
          {alerts.length ? `${alerts.length} alert(s) need attention` : 'No alerts'}
        </span>
        <label className="sound-toggle">
          <input type="checkbox" checked={sound} onChange={(e) => alertSoundChosen(e.target.checked)} />
          Sound when a scanner needs a person
        </label>
      </div>
      <FormError error={error} />
      {supervisor &&
        (adding ? (
          <DeviceForm onDone={() => setAdding(false)} />
        ) : (
          <button type="button" className="button button--small" onClick={() => setAdding(true)}>
            Add a scanner…
          </button>
        ))}
      {names.length === 0 ? (
        <p className="muted">No scanners are configured.</p>
      ) : (
        <div className="devices">
          {names.map((name) => (
            <DeviceCard key={name} name={name} />
          ))}
        </div>
      )}
      <DiscoveredScanners />
    </section>
  );
}
