import type { settingsCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function settingsHandlers(station: Station): Pick<HandlerTable, keyof typeof settingsCommands> {
  return {
    'settings.get': () => station.settings.get(),
    'settings.update': (patch) => station.settings.update(patch),
    'settings.saveScanProfile': (preset) => station.settings.saveScanProfile(preset),
    'settings.deleteScanProfile': ({ name }) => station.settings.deleteScanProfile(name),
  };
}
