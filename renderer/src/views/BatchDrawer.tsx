import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AuditEvent, BatchDetail, JobSummary } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { StageBadge } from '../components/StageBadge';
import { useReturnFocus } from '../components/return-focus';
import { quire } from '../ipc/client';
import { useStuckOn } from '../state/attention';
import { useBatch } from '../state/batches';

/** One line of a batch's history: a stage attempt, or an event of the batch's audit record. */
interface HistoryEntry {
  at: string;
  what: string;
  detail: string | null;
  bad: boolean;
}

/** Attempts and the batch's own audit events (a jam, its reset, decisions) in one time line. */
function historyOf(detail: BatchDetail, events: AuditEvent[]): HistoryEntry[] {
  const attempts = detail.attemptsHistory.map((a) => ({
    at: a.startedAt,
    what: `${a.stage} #${a.attempt} — ${a.outcome}`,
    detail: a.error,
    bad: a.outcome === 'fatal' || a.outcome === 'transient',
  }));
  const recorded = events
    .filter((e) => e.object === detail.id)
    .map((e) => ({
      at: e.at,
      what: `${e.type} — ${e.outcome}${e.agents.person !== 'system' ? ` (${e.agents.person})` : ''}`,
      detail: e.detail,
      bad: ['jammed', 'quarantined', 'failure', 'rejected'].includes(e.outcome),
    }));
  return [...attempts, ...recorded].sort((a, b) => a.at.localeCompare(b.at));
}

/** Attempt history and errors of one batch, with the operator's actions. */
export function BatchDrawer({ batchId, onClose }: { batchId: string; onClose: () => void }) {
  const live = useBatch(batchId);
  const stuck = useStuckOn(batchId, live?.device);
  const [detail, setDetail] = useState<BatchDetail | null>(null);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  useReturnFocus();

  useEffect(() => {
    closeRef.current?.focus();
  }, []);

  useEffect(() => {
    quire.call('batches.get', { batchId }).then(setDetail, (e) => setError(describeError(e)));
    quire.call('audit.list', { object: batchId, limit: 500 }).then(
      (page) => setEvents(page.items),
      () => {},
    );
  }, [batchId, live?.updatedAt, live?.stage, stuck]);

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
      onKeyDown={(e) => {
        // The page viewer inside handles its own Escape; one press closes one layer.
        if (e.key === 'Escape' && !e.defaultPrevented) onClose();
      }}
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
              {stuck && <span className="badge badge--bad">{`${detail.device} ${stuck}`}</span>}
            </dd>
            <dt>Title</dt>
            <dd>{detail.title}</dd>
            <dt>Device</dt>
            <dd>{detail.device}</dd>
            {detail.station && (
              <>
                <dt>Station</dt>
                <dd>{detail.station}</dd>
              </>
            )}
            <dt>Operator</dt>
            <dd>{detail.operator}</dd>
            <dt>Accession</dt>
            <dd>{detail.accessionNumbers.join(', ') || '—'}</dd>
            <dt>Package</dt>
            <dd className="mono">{detail.packagePath ?? '—'}</dd>
          </dl>
          <h3>History</h3>
          <ol className="attempts" aria-label="History of this batch">
            {historyOf(detail, events).map((entry, i) => (
              <li key={i}>
                <strong>{entry.what}</strong>
                {entry.detail ? (
                  <span className={entry.bad ? 'attempts__error' : undefined}>: {entry.detail}</span>
                ) : null}
                <span className="muted"> ({new Date(entry.at).toLocaleString()})</span>
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
