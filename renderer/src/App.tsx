import { useEffect } from 'react';
import { AttentionBanner } from './components/AttentionBanner';
import { ConnectionIndicator } from './components/ConnectionIndicator';
import { DiskSpaceIndicator } from './components/DiskSpaceIndicator';
import { NavBar } from './components/NavBar';
import { UserMenu } from './components/UserMenu';
import { quire } from './ipc/client';
import { startEventRouting } from './ipc/events';
import { startIdleWatch } from './ipc/idle-watch';
import { stationInfoReceived, useConnectionState } from './state/connection';
import { authStatusReceived, useAuthStatus } from './state/session';
import { useView, type ViewId } from './state/ui';
import { AuditView } from './views/AuditView';
import { DevicesView } from './views/DevicesView';
import { LockScreen } from './views/LockScreen';
import { QuarantineView } from './views/QuarantineView';
import { QueueView } from './views/QueueView';
import { SettingsView } from './views/SettingsView';
import { SignInScreen } from './views/SignInScreen';

function CurrentView({ view }: { view: ViewId }) {
  switch (view) {
    case 'devices':
      return <DevicesView />;
    case 'queue':
      return <QueueView />;
    case 'quarantine':
      return <QuarantineView />;
    case 'audit':
      return <AuditView />;
    case 'settings':
      return <SettingsView />;
  }
}

export function App() {
  const connection = useConnectionState();
  const auth = useAuthStatus();
  const view = useView();

  useEffect(() => {
    if (connection !== 'connected') return;
    quire.call('station.info', {}).then(stationInfoReceived, () => {});
    quire.call('auth.status', {}).then(authStatusReceived, () => {});
  }, [connection]);

  useEffect(() => startIdleWatch(), []);
  useEffect(() => startEventRouting(), []);

  return (
    <div className="app">
      <header className="app__header">
        <span className="brand">Quire</span>
        <div className="row">
          <DiskSpaceIndicator />
          <UserMenu />
          <ConnectionIndicator />
        </div>
      </header>
      {!auth ? (
        <main className="gate">
          <p>Connecting to the station…</p>
        </main>
      ) : !auth.user ? (
        <SignInScreen />
      ) : auth.locked ? (
        <LockScreen />
      ) : (
        <>
          <NavBar />
          <AttentionBanner />
          <main className="app__main">
            <CurrentView view={view} />
          </main>
        </>
      )}
    </div>
  );
}
