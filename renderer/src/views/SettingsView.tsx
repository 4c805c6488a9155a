import { useEffect, useState } from 'react';
import { quire } from '../ipc/client';
import { useStationInfo } from '../state/connection';
import { useIsSupervisor } from '../state/session';
import { CatalogSettings } from './CatalogSettings';
import { PeopleSettings } from './PeopleSettings';
import { TrainingSettings } from './TrainingSettings';
import { ScanProfileSettings } from './ScanProfileSettings';
import { StationSettings } from './StationSettings';
import { StorageSettings } from './StorageSettings';

export function SettingsView() {
  const info = useStationInfo();
  const supervisor = useIsSupervisor();
  const [training, setTraining] = useState(false);
  // Follows the setting as it is saved (settings.changed reaches every console).
  useEffect(() => {
    quire.call('settings.get', {}).then(
      (settings) => setTraining(settings.trainingMode),
      () => {},
    );
    return quire.subscribe((event) => {
      if (event.name === 'settings.changed') setTraining(event.payload.trainingMode);
    });
  }, []);
  return (
    <section aria-labelledby="settings-title" className="view">
      <h1 id="settings-title">Settings</h1>
      <h2>Station</h2>
      {info ? (
        <dl className="facts" data-testid="station-info">
          <dt>Version</dt>
          <dd data-testid="station-version">{info.version}</dd>
          <dt>Data folder</dt>
          <dd data-testid="station-data-dir">{info.dataDir}</dd>
          <dt>Running since</dt>
          <dd>{new Date(info.startedAt).toLocaleString()}</dd>
          <dt>Runtime</dt>
          <dd>
            Node {info.runtime.node}
            {info.runtime.electron ? `, Electron ${info.runtime.electron}` : ' (browser mode)'}
          </dd>
        </dl>
      ) : (
        <p>Loading station details…</p>
      )}
      <StationSettings />
      {supervisor && <PeopleSettings />}
      {supervisor && training && <TrainingSettings />}
      <ScanProfileSettings />
      <CatalogSettings />
      <StorageSettings />
    </section>
  );
}
