import { VIEW_LABELS, VIEWS, viewSelected, useView } from '../state/ui';

export function NavBar() {
  const current = useView();
  return (
    <nav className="nav" aria-label="Views">
      <ul>
        {VIEWS.map((view) => (
          <li key={view}>
            <button
              type="button"
              className="nav__item"
              aria-current={view === current ? 'page' : undefined}
              onClick={() => viewSelected(view)}
            >
              {VIEW_LABELS[view]}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
