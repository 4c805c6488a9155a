import { useEffect, useState } from 'react';
import type { BatchDetail } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { PageThumbnails } from '../components/PageThumbnails';
import { quire } from '../ipc/client';
import { DecisionForm } from './DecisionForm';

/** Every diagnostic of a quarantined batch: validation issues, QC findings, checksums, attempts. */
export function QuarantineDetail({
  batchId,
  revision,
  onDecided,
}: {
  batchId: string;
  revision: number;
  /** After a recorded decision: the view opens the next batch. */
  onDecided?: () => void;
}) {
  const [detail, setDetail] = useState<BatchDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosenPages, setChosenPages] = useState<number[]>([]);

  useEffect(() => {
    setChosenPages([]);
    quire.call('batches.get', { batchId }).then(setDetail, (e) => setError(describeError(e)));
  }, [batchId, revision]);

  if (error) return <FormError error={error} />;
  if (!detail) return <p className="muted">Loading {batchId}…</p>;
  const q = detail.quarantine;

  return (
    <article aria-labelledby="detail-title" className="review-detail">
      <h2 id="detail-title">
        <span className="mono">{detail.id}</span> — {detail.title}
      </h2>
      <p>
        <strong>Reason:</strong> {q?.reason ?? 'not quarantined'}
      </p>
      {q && q.validationIssues.length > 0 && (
        <section aria-label="Validation errors">
          <h3>Validation errors</h3>
          <ul className="issues">
            {q.validationIssues.map((issue, i) => (
              <li key={i}>
                <code>{issue.path}</code> — {issue.message}
              </li>
            ))}
          </ul>
        </section>
      )}
      {q && q.checksumMismatches.length > 0 && (
        <section aria-label="Checksum mismatches">
          <h3>Checksum mismatches</h3>
          <ul className="issues">
            {q.checksumMismatches.map((m) => (
              <li key={m.page}>
                Page {m.page}: expected <code>{m.expected.slice(0, 16)}…</code>, got{' '}
                <code>{m.actual.slice(0, 16)}…</code>
              </li>
            ))}
          </ul>
        </section>
      )}
      {q && q.protocolErrors.length > 0 && (
        <section aria-label="Scanner protocol errors">
          <h3>Scanner protocol errors</h3>
          <ul className="issues">
            {q.protocolErrors.map((e, i) => (
              <li key={i}>{e.message}</li>
            ))}
          </ul>
        </section>
      )}
      {q && q.qcFindings.length > 0 && (
        <section aria-label="QC findings">
          <h3>QC findings</h3>
          <table className="findings">
            <thead>
              <tr>
                <th scope="col">Page</th>
                <th scope="col">Severity</th>
                <th scope="col">Finding</th>
              </tr>
            </thead>
            <tbody>
              {q.qcFindings.map((f, i) => (
                <tr key={i}>
                  <td>{f.page ?? 'batch'}</td>
                  <td>
                    <span
                      className={`badge badge--${f.severity === 'error' ? 'bad' : f.severity === 'warning' ? 'busy' : 'muted'}`}
                    >
                      {f.severity}
                    </span>
                  </td>
                  <td>
                    <code>{f.code}</code> {f.message}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section aria-label="Pages">
        <h3>
          Pages ({detail.pages.length}
          {detail.missingPages.length > 0 ? `, ${detail.missingPages.length} missing` : ''})
        </h3>
        {q && q.checksumMismatches.length > 0 && (
          <button
            type="button"
            className="button button--small"
            onClick={() => setChosenPages(q.checksumMismatches.map((m) => m.page).sort((a, b) => a - b))}
          >
            Choose the failed pages for recapture
          </button>
        )}
        <PageThumbnails
          batchId={detail.id}
          pages={detail.pages}
          missing={detail.missingPages}
          failures={q?.checksumMismatches ?? []}
          chosen={chosenPages}
          onChosenChange={setChosenPages}
        />
      </section>
      <section aria-label="Attempt history">
        <h3>Attempts</h3>
        <ol className="attempts">
          {detail.attemptsHistory.map((a, i) => (
            <li key={i}>
              <strong>{a.stage}</strong> #{a.attempt} — {a.outcome}
              {a.error ? <span className="attempts__error">: {a.error}</span> : null}
              {a.worker ? <span className="muted"> on {a.worker}</span> : null}
            </li>
          ))}
        </ol>
      </section>
      {detail.decisions.length > 0 && (
        <section aria-label="Earlier decisions">
          <h3>Earlier decisions</h3>
          <ul>
            {detail.decisions.map((d, i) => (
              <li key={i}>
                {d.decision} by {d.by} — {d.reason}
                {d.note ? `: ${d.note}` : ''}{' '}
                <span className="muted">({new Date(d.at).toLocaleString()})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {detail.stage === 'quarantined' && (
        <DecisionForm batchId={detail.id} chosenPages={chosenPages} onDecided={onDecided} />
      )}
    </article>
  );
}
