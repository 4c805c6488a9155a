import { useEffect } from 'react';
import { quire } from '../ipc/client';
import { useScannersNeedingPerson } from '../state/attention';
import { quarantineListReceived, useQuarantineItems, useReviewRevision } from '../state/review';
import { VIEW_LABELS, VIEWS, viewSelected, useView, type ViewId } from '../state/ui';

/**
 * A count beside a view's button, outside the button so its name stays the view's name; the
 * words for screen readers say what is counted.
 */
function Badge({ count, what }: { count: number; what: string }) {
  if (count === 0) return null;
  return (
    <span className="nav__badge" data-testid="nav-badge">
      <span aria-hidden="true">{count}</span>
      <span className="sr-only">{what}</span>
    </span>
  );
}

export function NavBar() {
  const current = useView();
  const stuck = useScannersNeedingPerson().length;
  const quarantined = useQuarantineItems().length;
  const revision = useReviewRevision();
  useEffect(() => {
    quire.call('quarantine.list', {}).then(quarantineListReceived, () => {});
  }, [revision]);
  const badges: Partial<Record<ViewId, { count: number; what: string }>> = {
    devices: { count: stuck, what: `${stuck} ${stuck === 1 ? 'scanner needs' : 'scanners need'} a person` },
    quarantine: {
      count: quarantined,
      what: `${quarantined} ${quarantined === 1 ? 'batch' : 'batches'} to review`,
    },
  };
  return (
    <nav className="nav" aria-label="Views">
      <ul>
        {VIEWS.map((view) => (
          <li key={view} className="nav__entry" data-testid={`nav-${view}`}>
            <button
              type="button"
              className="nav__item"
              aria-current={view === current ? 'page' : undefined}
              onClick={() => viewSelected(view)}
            >
              {VIEW_LABELS[view]}
            </button>
            {badges[view] && <Badge {...badges[view]} />}
          </li>
        ))}
      </ul>
    </nav>
  );
}
