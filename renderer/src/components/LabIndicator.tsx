import { useEffect } from 'react';
import type { LabState } from '../../../shared/contract/index';
import { quire } from '../ipc/client';
import { useConnectionState } from '../state/connection';
import { labStateReceived, useLabState } from '../state/lab';

/** What the operator needs to know about each link, in words (never colour alone). */
export function describeLab(lab: LabState): { ok: boolean; text: string } {
  if (!lab.queue.connected)
    return {
      ok: false,
      text: `Lab queue unreachable — capture goes on, shared work waits (${lab.queue.detail})`,
    };
  const db = lab.database;
  if (db?.state === 'unreachable')
    return {
      ok: false,
      text: "Lab database unreachable — capture goes on; other stations' batches and decisions on them wait",
    };
  if (db?.state === 'refused') return { ok: false, text: `Lab database refused this station: ${db.detail}` };
  if (db?.state === 'behind')
    return { ok: true, text: `Lab ${lab.station}: sending records to the lab database…` };
  return { ok: true, text: `Lab station ${lab.station}` };
}

/** In a lab, the header says whether the lab's queue and database are reachable. */
export function LabIndicator() {
  const connection = useConnectionState();
  const lab = useLabState();
  useEffect(() => {
    if (connection !== 'connected') return;
    quire.call('station.lab', {}).then(labStateReceived, () => {});
  }, [connection]);
  if (!lab) return null;
  const { ok, text } = describeLab(lab);
  return (
    <div
      className={`connection connection--${ok ? 'connected' : 'disconnected'}`}
      role="status"
      aria-live="polite"
      data-testid="lab-state"
    >
      <span className="connection__dot" aria-hidden="true" />
      <span>{text}</span>
    </div>
  );
}
