import type { settingsCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';
import { actor } from './auth-handlers';

export function settingsHandlers(station: Station): Pick<HandlerTable, keyof typeof settingsCommands> {
  return {
    'settings.get': () => station.settings.get(),
    'settings.update': (patch) => station.settings.update(patch),
    'settings.saveScanProfile': (preset) => station.settings.saveScanProfile(preset),
    'settings.deleteScanProfile': ({ name }) => station.settings.deleteScanProfile(name),
    'settings.suggestBatchName': ({ collection }, context) => ({
      name: station.settings.suggestBatchName(
        { collection, operator: actor(context).username },
        (id) => station.pipeline.store.summary(id) !== null,
      ),
    }),
  };
}
