import { useStationInfo } from '../state/connection';
import { CatalogSettings } from './CatalogSettings';
import { ScanProfileSettings } from './ScanProfileSettings';
import { StationSettings } from './StationSettings';
import { StorageSettings } from './StorageSettings';

export function SettingsView() {
  const info = useStationInfo();
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
      <ScanProfileSettings />
      <CatalogSettings />
      <StorageSettings />
    </section>
  );
}
