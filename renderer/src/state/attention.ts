import { create } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { DeviceStatus } from '../../../shared/contract/index';
import { useDevicesStore } from './devices';

/** A scanner that needs a person: a jam or cover alert, or a scanner reporting an error. */
export const needsPerson = (d: DeviceStatus): boolean =>
  d.alert !== null || d.state === 'JAMMED' || d.state === 'ERROR';

/** The batch a stuck scanner holds: the alert's job, else the job it reports. */
export const stuckBatch = (d: DeviceStatus): string | null => d.alert?.job ?? d.job ?? null;

/** "is jammed", "has its cover open": what happened, in words, for the banner and the title. */
export function faultInWords(d: DeviceStatus): string {
  const code = d.alert?.code ?? (d.state === 'JAMMED' ? 'ADF_JAM' : null);
  if (code === 'ADF_JAM') return 'is jammed';
  if (code === 'COVER_OPEN') return 'has its cover open';
  // A sheet that may have left the feeder without its page (the alert's message says which).
  if (code === 'SHEET_IN_DOUBT') return 'stopped mid-sheet: check the feeder';
  if (code) return `reports ${code.replace(/_/g, ' ').toLowerCase()}`;
  return 'reports an error';
}

/** Scanners that need a person, by name; the objects are the store's own, so stable between updates. */
export const useScannersNeedingPerson = () =>
  useDevicesStore(
    useShallow((s) =>
      Object.values(s.byName)
        .filter(needsPerson)
        .sort((a, b) => a.name.localeCompare(b.name)),
    ),
  );

/** Whether the batch's scanner is stuck on this batch (its Queue row says so). */
export const useStuckOn = (batchId: string, device: string | undefined) =>
  useDevicesStore((s) => {
    const d = device ? s.byName[device] : undefined;
    return d && needsPerson(d) && stuckBatch(d) === batchId ? faultInWords(d) : null;
  });

const SOUND_KEY = 'quire.alertSound';

interface AttentionPrefs {
  /** Play a short tone when a scanner starts needing a person (off unless chosen: labs are quiet). */
  sound: boolean;
}

function storedSound(): boolean {
  try {
    return window.localStorage.getItem(SOUND_KEY) === 'on';
  } catch {
    return false;
  }
}

export const useAttentionPrefs = create<AttentionPrefs>(() => ({ sound: storedSound() }));
export const useAlertSound = () => useAttentionPrefs((s) => s.sound);
export function alertSoundChosen(sound: boolean): void {
  try {
    window.localStorage.setItem(SOUND_KEY, sound ? 'on' : 'off');
  } catch {
    // A browser without storage keeps the choice for this session only.
  }
  useAttentionPrefs.setState({ sound });
}
