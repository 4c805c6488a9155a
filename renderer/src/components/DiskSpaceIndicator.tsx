import { useEffect, useState } from 'react';
import type { DiskOutlook } from '../../../shared/contract/index';
import { quire } from '../ipc/client';
import { useConnectionState } from '../state/connection';
import { useAuthStatus } from '../state/session';

/** How often the header asks the station about its disk (a full disk stops every batch). */
const POLL_MS = 30_000;

const gigabytes = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;
const hours = (h: number) =>
  h < 1 ? `${Math.max(1, Math.round(h * 60))} min` : `${h.toFixed(h < 10 ? 1 : 0)} h`;

/**
 * Free space in the data folder, on every view: how long it lasts at the current rate of
 * scanning, and a warning below the station's threshold (Settings), or when it is low or full.
 */
export function DiskSpaceIndicator() {
  const connection = useConnectionState();
  const auth = useAuthStatus();
  // A boolean, not the user object: each status is a new object, and a locked console asks nothing.
  const inside = Boolean(auth?.user && !auth.locked);
  const [disk, setDisk] = useState<DiskOutlook | null>(null);
  useEffect(() => {
    if (connection !== 'connected' || !inside) return;
    const check = () =>
      quire.call('reports.diskOutlook', {}).then(
        (outlook) => setDisk(outlook),
        () => {},
      );
    check();
    const timer = setInterval(check, POLL_MS);
    return () => clearInterval(timer);
  }, [connection, inside]);
  if (!disk || !inside) return null;
  const lasts = disk.hoursLeft === null ? null : `about ${hours(disk.hoursLeft)} of scanning`;
  const text = disk.diskFull
    ? `Disk full: ${gigabytes(disk.freeBytes)} free — work waits until space is freed`
    : disk.warn
      ? `Low disk space: ${gigabytes(disk.freeBytes)} free${lasts ? `, ${lasts} left` : ''} (warning below ${hours(disk.warningHours)})`
      : `Disk: ${gigabytes(disk.freeBytes)} free${lasts ? `, ${lasts}` : ''}`;
  return (
    <div
      className={`disk-space ${disk.diskFull ? 'disk-space--full' : disk.warn ? 'disk-space--low' : 'disk-space--ok'}`}
      role="status"
      data-testid="disk-space"
    >
      {text}
    </div>
  );
}
