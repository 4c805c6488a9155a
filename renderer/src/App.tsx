import { useEffect } from 'react';
import { ConnectionIndicator } from './components/ConnectionIndicator';
import { NavBar } from './components/NavBar';
import { quire } from './ipc/client';
import { stationInfoReceived, useConnectionState } from './state/connection';
import { useView, type ViewId } from './state/ui';
import { PlaceholderView } from './views/PlaceholderView';
import { SettingsView } from './views/SettingsView';

function CurrentView({ view }: { view: ViewId }) {
  switch (view) {
    case 'devices':
      return <PlaceholderView title="Devices" />;
    case 'queue':
      return <PlaceholderView title="Queue" />;
    case 'quarantine':
      return <PlaceholderView title="Quarantine" />;
    case 'audit':
      return <PlaceholderView title="Audit" />;
    case 'settings':
      return <SettingsView />;
  }
}

export function App() {
  const connection = useConnectionState();
  const view = useView();

  useEffect(() => {
    if (connection !== 'connected') return;
    quire.call('station.info', {}).then(stationInfoReceived, () => {});
  }, [connection]);

  return (
    <div className="app">
      <header className="app__header">
        <span className="brand">Quire</span>
        <ConnectionIndicator />
      </header>
      <NavBar />
      <main className="app__main">
        <CurrentView view={view} />
      </main>
    </div>
  );
}
