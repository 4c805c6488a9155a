import { useEffect, useState } from 'react';
import type { TransferStatus } from '../../../shared/contract/index';
import { quire } from '../ipc/client';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function timeLeft(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const LABELS: Record<TransferStatus['state'], string> = {
  waiting: 'waiting',
  sending: 'sending',
  verifying: 'verifying at the destination',
  complete: 'verified',
  failed: 'failed',
};

/** Transfers to repository storage: bytes sent, rate and time left, live from `transfer.progress`. */
export function TransferProgress() {
  const [items, setItems] = useState<TransferStatus[]>([]);
  useEffect(() => {
    const key = (s: TransferStatus) => `${s.batchId}\n${s.destination}`;
    quire.call('transfer.status', {}).then(setItems, () => setItems([]));
    return quire.subscribe((event) => {
      if (event.name !== 'transfer.progress') return;
      const status = event.payload;
      setItems((list) => [status, ...list.filter((s) => key(s) !== key(status))]);
    });
  }, []);
  if (items.length === 0) return null;
  return (
    <table className="findings" aria-label="Transfers to repository storage">
      <thead>
        <tr>
          <th>Batch</th>
          <th>Destination</th>
          <th>State</th>
          <th>Sent</th>
          <th>Rate</th>
          <th>Time left</th>
        </tr>
      </thead>
      <tbody>
        {items.map((s) => (
          <tr key={`${s.batchId}:${s.destination}`}>
            <td>{s.batchId}</td>
            <td>{s.destination}</td>
            <td title={s.error ?? undefined}>{LABELS[s.state]}</td>
            <td>
              {mb(s.bytesSent + s.bytesSkipped)} of {mb(s.bytesTotal)}
              {s.bytesSkipped > 0 ? ` (${mb(s.bytesSkipped)} already there)` : ''}
            </td>
            <td>{s.state === 'sending' ? `${mb(s.rate)}/s` : '—'}</td>
            <td>{s.state === 'sending' ? timeLeft(s.secondsLeft) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
