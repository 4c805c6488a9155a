import { useEffect, useRef, useState } from 'react';
import type { DeviceStatus } from '../../../shared/contract/index';
import { quire } from '../ipc/client';
import { faultInWords, stuckBatch, useAlertSound, useScannersNeedingPerson } from '../state/attention';
import { useBatch } from '../state/batches';
import { deviceListReceived, deviceWorkListReceived, useDeviceWork } from '../state/devices';
import { viewSelected } from '../state/ui';
import { describeError, FormError } from './FormError';
import { JamReset } from './JamReset';

const BASE_TITLE = 'Quire';

/** One short tone, made on the spot (no sound file to ship or to fail loading). */
function playTone(): void {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.15;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.35);
    tone.onended = () => void audio.close();
  } catch {
    // No audio device: the banner, the title and the notification still say it.
  }
}

/** A desktop notification, if this console may show them (asked once, at the first fault). */
function notify(device: DeviceStatus): void {
  if (typeof Notification === 'undefined') return;
  const show = () => {
    const job = stuckBatch(device);
    const note = new Notification(`${device.name} ${faultInWords(device)}`, {
      body: job ? `Batch ${job} is waiting for you.` : 'The scanner is waiting for you.',
      tag: `quire-${device.name}`,
    });
    note.onclick = () => {
      window.focus();
      viewSelected('devices');
    };
  };
  if (Notification.permission === 'granted') show();
  else if (Notification.permission === 'default')
    void Notification.requestPermission().then((p) => p === 'granted' && show());
}

/**
 * Tells the person, wherever they are in the console, the moment a scanner starts needing
 * them: the window title, an optional tone and a desktop notification. Each fault is announced
 * once (by scanner and the time it began); the banner keeps showing it until it is handled.
 */
function useAnnounce(stuck: DeviceStatus[]): void {
  const sound = useAlertSound();
  const announced = useRef(new Set<string>());
  useEffect(() => {
    const first = stuck[0];
    document.title = first
      ? `(${stuck.length}) ${first.name} ${faultInWords(first)} — ${BASE_TITLE}`
      : BASE_TITLE;
    const current = new Set(stuck.map((d) => `${d.name}@${d.alert?.at ?? d.state}`));
    for (const device of stuck) {
      const key = `${device.name}@${device.alert?.at ?? device.state}`;
      if (announced.current.has(key)) continue;
      if (sound) playTone();
      notify(device);
    }
    announced.current = current;
  }, [stuck, sound]);
  useEffect(
    () => () => {
      document.title = BASE_TITLE;
    },
    [],
  );
}

function StuckScanner({ device }: { device: DeviceStatus }) {
  const job = stuckBatch(device);
  const listed = useBatch(job ?? '');
  const working = useDeviceWork(device.name)?.current;
  const batch = working?.batchId === job ? working : listed;
  const [error, setError] = useState<string | null>(null);
  const jammed = device.state === 'JAMMED';
  const where = batch
    ? ` at page ${batch.pagesDone + 1}${batch.pagesExpected ? ` of ${batch.pagesExpected}` : ''}`
    : '';
  const acknowledge = async () => {
    setError(null);
    try {
      await quire.call('devices.acknowledgeAlert', { name: device.name });
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <li className="attention__item" data-testid={`attention-${device.name}`}>
      <p role="alert">
        <strong>
          {device.name} {faultInWords(device)}
        </strong>
        {job ? (
          <>
            {' '}
            — batch <span className="mono">{job}</span> is stuck{where}.
          </>
        ) : (
          '.'
        )}{' '}
        {jammed ? 'Clear the feeder, then reset.' : (device.alert?.message ?? device.lastError ?? '')}
      </p>
      <div className="row">
        {jammed ? (
          <JamReset name={device.name} />
        ) : (
          device.alert && (
            <button type="button" className="button button--small" onClick={acknowledge}>
              Acknowledge alert
            </button>
          )
        )}
        <button type="button" className="button button--small" onClick={() => viewSelected('devices')}>
          Show scanner
        </button>
      </div>
      <FormError error={error} />
    </li>
  );
}

/** On every view: the scanners that need a person, each with what to do about it. */
export function AttentionBanner() {
  const stuck = useScannersNeedingPerson();
  useAnnounce(stuck);
  // Whatever view opens first, the fleet is known (its events only say what changed).
  useEffect(() => {
    quire.call('devices.list', {}).then(deviceListReceived, () => {});
    quire.call('devices.work', {}).then(deviceWorkListReceived, () => {});
  }, []);
  if (stuck.length === 0) return null;
  return (
    <section className="attention" aria-label="Scanners that need you" data-testid="attention">
      <ul role="list">
        {stuck.map((device) => (
          <StuckScanner key={device.name} device={device} />
        ))}
      </ul>
    </section>
  );
}
