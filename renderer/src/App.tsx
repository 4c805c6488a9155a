import { useEffect, useRef } from 'react';
import { AttentionBanner } from './components/AttentionBanner';
import { ConnectionIndicator } from './components/ConnectionIndicator';
import { DiskSpaceIndicator } from './components/DiskSpaceIndicator';
import { LabIndicator } from './components/LabIndicator';
import { NavBar } from './components/NavBar';
import { UserMenu } from './components/UserMenu';
import { quire } from './ipc/client';
import { startEventRouting } from './ipc/events';
import { startIdleWatch } from './ipc/idle-watch';
import { resumeSession, startResumeRotation } from './ipc/session-resume';
import {
  stationInfoReceived,
  useConnectionEpoch,
  useConnectionState,
  useStaleSince,
} from './state/connection';
import { useLabEpoch } from './state/lab';
import { useAuthStatus } from './state/session';
import { useView, type ViewId } from './state/ui';
import { AuditView } from './views/AuditView';
import { DevicesView } from './views/DevicesView';
import { LockScreen } from './views/LockScreen';
import { QuarantineView } from './views/QuarantineView';
import { QueueView } from './views/QueueView';
import { SettingsView } from './views/SettingsView';
import { ShiftView } from './views/ShiftView';
import { SignInScreen } from './views/SignInScreen';
import './styles-operations.css';

function CurrentView({ view }: { view: ViewId }) {
  switch (view) {
    case 'devices':
      return <DevicesView />;
    case 'queue':
      return <QueueView />;
    case 'quarantine':
      return <QuarantineView />;
    case 'shift':
      return <ShiftView />;
    case 'audit':
      return <AuditView />;
    case 'settings':
      return <SettingsView />;
  }
}

/** Moves focus to the view's main heading (after sign-in, unlock and a change of view). */
function focusMainHeading() {
  const heading = document.querySelector<HTMLElement>('#main h1');
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus();
}

export function App() {
  const connection = useConnectionState();
  const epoch = useConnectionEpoch();
  const labEpoch = useLabEpoch();
  const staleSince = useStaleSince();
  const auth = useAuthStatus();
  const view = useView();
  const inside = Boolean(auth?.user && !auth.locked);
  const wasInside = useRef(false);

  useEffect(() => {
    if (connection !== 'connected') return;
    quire.call('station.info', {}).then(stationInfoReceived, () => {});
    resumeSession().catch(() => {});
  }, [connection]);

  useEffect(() => {
    if (inside && !wasInside.current) window.requestAnimationFrame(focusMainHeading);
    wasInside.current = inside;
  }, [inside]);

  useEffect(() => startIdleWatch(), []);
  useEffect(() => startEventRouting(), []);
  useEffect(() => startResumeRotation(), []);

  return (
    <div className="app">
      <header className="app__header">
        {inside && (
          <a className="skip-link" href="#main">
            Skip to main content
          </a>
        )}
        <span className="brand">Quire</span>
        <div className="row">
          <UserMenu />
          <DiskSpaceIndicator />
          <LabIndicator />
          <ConnectionIndicator />
        </div>
      </header>
      {!auth ? (
        <main className="gate">
          <p>
            {connection === 'restarted'
              ? 'Open the new link the station printed.'
              : 'Connecting to the station…'}
          </p>
        </main>
      ) : !auth.user ? (
        <SignInScreen />
      ) : auth.locked ? (
        <LockScreen />
      ) : (
        <>
          <NavBar />
          <AttentionBanner />
          <main
            id="main"
            tabIndex={-1}
            className={`app__main${staleSince !== null ? ' app__main--stale' : ''}`}
            data-testid="main"
            aria-describedby={staleSince !== null ? 'stale-note' : undefined}
          >
            {staleSince !== null && (
              <p id="stale-note" className="stale-note">
                Not connected: the figures below are not current.
              </p>
            )}
            <CurrentView key={`${epoch}:${labEpoch}`} view={view} />
          </main>
        </>
      )}
    </div>
  );
}
