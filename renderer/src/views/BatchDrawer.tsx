import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { BatchDetail, JobSummary } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { StageBadge } from '../components/StageBadge';
import { quire } from '../ipc/client';
import { useBatch } from '../state/batches';

/** Attempt history and errors of one batch, with the operator's actions. */
export function BatchDrawer({ batchId, onClose }: { batchId: string; onClose: () => void }) {
  const live = useBatch(batchId);
  const [detail, setDetail] = useState<BatchDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeRef.current?.focus();
  }, []);

  useEffect(() => {
    quire.call('batches.get', { batchId }).then(setDetail, (e) => setError(describeError(e)));
  }, [batchId, live?.updatedAt]);

  const [cancelReason, setCancelReason] = useState('');
  const [jobs, setJobs] = useState<JobSummary[]>([]);

  useEffect(() => {
    quire.call('queue.list', { batchId, offset: 0, limit: 50 }).then(
      (page) => setJobs(page.items),
      () => {},
    );
  }, [batchId, live?.updatedAt]);

  async function jobAction(command: 'queue.retry' | 'queue.promote', id: string) {
    setError(null);
    try {
      await quire.call(command, { id });
      setJobs((await quire.call('queue.list', { batchId, offset: 0, limit: 50 })).items);
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function cancel(event: FormEvent) {
    event.preventDefault();
    try {
      await quire.call('batches.cancel', { batchId, reason: cancelReason });
      setCancelReason('');
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <aside
      className="drawer"
      role="dialog"
      aria-modal="false"
      aria-labelledby="drawer-title"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <div className="drawer__head">
        <h2 id="drawer-title" className="mono">
          {batchId}
        </h2>
        <button ref={closeRef} type="button" className="button button--small" onClick={onClose}>
          Close
        </button>
      </div>
      <FormError error={error} />
      {detail && (
        <>
          <dl className="facts">
            <dt>Stage</dt>
            <dd>
              <StageBadge stage={live?.stage ?? detail.stage} />
            </dd>
            <dt>Title</dt>
            <dd>{detail.title}</dd>
            <dt>Device</dt>
            <dd>{detail.device}</dd>
            <dt>Operator</dt>
            <dd>{detail.operator}</dd>
            <dt>Accession</dt>
            <dd>{detail.accessionNumbers.join(', ') || '—'}</dd>
            <dt>Package</dt>
            <dd className="mono">{detail.packagePath ?? '—'}</dd>
          </dl>
          <h3>Attempts</h3>
          <ol className="attempts">
            {detail.attemptsHistory.map((a, i) => (
              <li key={i}>
                <strong>{a.stage}</strong> #{a.attempt} — {a.outcome}
                {a.error ? <span className="attempts__error">: {a.error}</span> : null}
                <span className="muted"> ({new Date(a.startedAt).toLocaleString()})</span>
              </li>
            ))}
          </ol>
          <h3>Jobs</h3>
          <ul className="jobs" aria-label="Jobs of this batch">
            {jobs.map((job) => (
              <li key={job.id}>
                <span className="mono">{job.type}</span> — {job.state}, attempt {job.attempts} of{' '}
                {job.maxAttempts}
                {job.lastError ? <span className="attempts__error">: {job.lastError}</span> : null}
                {(job.state === 'retrying' || job.state === 'delayed') && (
                  <button
                    type="button"
                    className="button button--small"
                    onClick={() => jobAction('queue.promote', job.id)}
                  >
                    Run now
                  </button>
                )}
                {(job.state === 'quarantined' || job.state === 'cancelled') &&
                  // A finished batch never runs again; a quarantined one waits for a supervisor.
                  !['quarantined', 'completed', 'rejected', 'cancelled'].includes(detail.stage) && (
                    <button
                      type="button"
                      className="button button--small"
                      onClick={() => jobAction('queue.retry', job.id)}
                    >
                      Retry
                    </button>
                  )}
              </li>
            ))}
          </ul>
          {!['completed', 'rejected', 'cancelled'].includes(detail.stage) && (
            <form className="row" onSubmit={cancel}>
              <label>
                Reason to cancel (captured pages are kept)
                <input value={cancelReason} onChange={(e) => setCancelReason(e.target.value)} required />
              </label>
              <button type="submit" className="button button--danger">
                Cancel batch
              </button>
            </form>
          )}
        </>
      )}
    </aside>
  );
}
