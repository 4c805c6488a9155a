import { useEffect, useMemo, useState } from 'react';
import { Age } from '../components/Age';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import {
  quarantineListReceived,
  reviewSelected,
  useQuarantineItems,
  useReviewRevision,
  useReviewSelection,
  type QuarantineItem,
} from '../state/review';
import { QuarantineBulk } from './QuarantineBulk';
import { QuarantineDetail } from './QuarantineDetail';

interface Group {
  key: string;
  reason: string;
  device: string;
  items: QuarantineItem[];
}

/** Batches quarantined for the same reason on the same scanner, together: "16 × Checksum mismatch on sim-3". */
function groupsOf(items: QuarantineItem[]): Group[] {
  const groups = new Map<string, Group>();
  for (const item of items) {
    const key = `${item.reason}\u0000${item.device}`;
    const group = groups.get(key) ?? { key, reason: item.reason, device: item.device, items: [] };
    group.items.push(item);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.items.length - a.items.length || a.key.localeCompare(b.key));
}

export function QuarantineView() {
  const items = useQuarantineItems();
  const selected = useReviewSelection();
  const revision = useReviewRevision();
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const groups = useMemo(() => groupsOf(items), [items]);
  const order = useMemo(() => groups.flatMap((g) => g.items.map((i) => i.id)), [groups]);
  const [decidedFrom, setDecidedFrom] = useState<{ id: string; index: number } | null>(null);

  useEffect(() => {
    quire.call('quarantine.list', {}).then(quarantineListReceived, (e) => setError(describeError(e)));
  }, [revision]);

  // Picks that left the quarantine are dropped; after a decision the next batch in the list opens.
  useEffect(() => {
    setPicked((p) => {
      const still = new Set([...p].filter((id) => order.includes(id)));
      return still.size === p.size ? p : still;
    });
    if (decidedFrom && !order.includes(decidedFrom.id)) {
      reviewSelected(order[Math.min(decidedFrom.index, order.length - 1)] ?? null);
      setDecidedFrom(null);
    }
  }, [order, decidedFrom]);

  const toggle = (ids: string[], on: boolean) =>
    setPicked((p) => {
      const next = new Set(p);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });

  return (
    <section aria-labelledby="quarantine-title" className="view view--split">
      <div className="split__list">
        <h1 id="quarantine-title">Quarantine</h1>
        <FormError error={error} />
        {items.length === 0 ? (
          <p className="muted">Nothing is waiting for review.</p>
        ) : (
          groups.map((group) => {
            const ids = group.items.map((i) => i.id);
            const all = ids.every((id) => picked.has(id));
            const title = `${group.items.length} × ${group.reason.toLowerCase()} on ${group.device}`;
            return (
              <section key={group.key} className="review-group" aria-label={title} data-testid="review-group">
                <label className="review-group__head">
                  <input type="checkbox" checked={all} onChange={(e) => toggle(ids, e.target.checked)} />
                  <strong>{title}</strong>
                </label>
                <ul className="review-list" aria-label={`Batches: ${title}`}>
                  {group.items.map((item) => (
                    <li key={item.id} className="review-list__entry">
                      <input
                        type="checkbox"
                        aria-label={`Select ${item.id}`}
                        checked={picked.has(item.id)}
                        onChange={(e) => toggle([item.id], e.target.checked)}
                      />
                      <button
                        type="button"
                        className="review-list__item"
                        aria-current={item.id === selected ? 'true' : undefined}
                        onClick={() => reviewSelected(item.id)}
                      >
                        <span className="mono">{item.id}</span>
                        <span className="review-list__reason">{item.reason}</span>
                        <span className="muted">
                          {item.station ? `${item.station} · ` : ''}
                          {item.device} · <Age iso={item.quarantinedAt} /> ago
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
            );
          })
        )}
      </div>
      <div className="split__detail">
        {picked.size > 0 ? (
          <QuarantineBulk
            batchIds={order.filter((id) => picked.has(id))}
            onDone={() => setPicked(new Set())}
          />
        ) : selected ? (
          <QuarantineDetail
            batchId={selected}
            revision={revision}
            onDecided={() => setDecidedFrom({ id: selected, index: order.indexOf(selected) })}
          />
        ) : (
          <p className="muted">Choose a batch to review.</p>
        )}
      </div>
    </section>
  );
}
