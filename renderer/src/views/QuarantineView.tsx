import { useEffect, useState } from 'react';
import { age } from '../components/age';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import {
  quarantineListReceived,
  reviewSelected,
  useQuarantineItems,
  useReviewRevision,
  useReviewSelection,
} from '../state/review';
import { QuarantineDetail } from './QuarantineDetail';

export function QuarantineView() {
  const items = useQuarantineItems();
  const selected = useReviewSelection();
  const revision = useReviewRevision();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    quire.call('quarantine.list', {}).then(quarantineListReceived, (e) => setError(describeError(e)));
  }, [revision]);

  return (
    <section aria-labelledby="quarantine-title" className="view view--split">
      <div className="split__list">
        <h1 id="quarantine-title">Quarantine</h1>
        <FormError error={error} />
        {items.length === 0 ? (
          <p className="muted">Nothing is waiting for review.</p>
        ) : (
          <ul className="review-list" aria-label="Quarantined batches">
            {items.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  className="review-list__item"
                  aria-current={item.id === selected ? 'true' : undefined}
                  onClick={() => reviewSelected(item.id)}
                >
                  <span className="mono">{item.id}</span>
                  <span className="review-list__reason">{item.reason}</span>
                  <span className="muted">
                    {item.device} · {age(item.quarantinedAt)} ago
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="split__detail">
        {selected ? (
          <QuarantineDetail batchId={selected} revision={revision} />
        ) : (
          <p className="muted">Choose a batch to review.</p>
        )}
      </div>
    </section>
  );
}
