import { useEffect, useState } from 'react';
import type { DiskSpaceHealth } from '../../../shared/contract/index';
import { quire } from '../ipc/client';
import { useConnectionState } from '../state/connection';

/** How often the header asks the station about its disk (a full disk stops every batch). */
const POLL_MS = 30_000;

const gigabytes = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/** Says so in the header when the data folder's disk is full or nearly full; nothing otherwise. */
export function DiskSpaceIndicator() {
  const connection = useConnectionState();
  const [disk, setDisk] = useState<DiskSpaceHealth | null>(null);
  useEffect(() => {
    if (connection !== 'connected') return;
    const check = () =>
      quire.call('station.health', {}).then(
        (health) => setDisk(health.disk),
        () => {},
      );
    check();
    const timer = setInterval(check, POLL_MS);
    return () => clearInterval(timer);
  }, [connection]);
  if (!disk || !(disk.diskFull || disk.lowSpace)) return null;
  const text = disk.diskFull
    ? `Disk full: ${gigabytes(disk.freeBytes)} free${
        disk.jobsWaitingForSpace ? `, ${disk.jobsWaitingForSpace} job(s) waiting for space` : ''
      }`
    : `Low disk space: ${gigabytes(disk.freeBytes)} free`;
  return (
    <div
      className={`disk-space ${disk.diskFull ? 'disk-space--full' : 'disk-space--low'}`}
      role="status"
      data-testid="disk-space"
    >
      {text}
    </div>
  );
}
