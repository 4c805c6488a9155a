import type { trainingCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function trainingHandlers(station: Station): Pick<HandlerTable, keyof typeof trainingCommands> {
  return {
    'training.addSimulator': () => station.training.addSimulator(),
    'training.injectFault': ({ name, fault }) => {
      station.training.injectFault(name, fault);
      return { ok: true as const };
    },
    'training.simulators': () => station.training.simulators(),
  };
}
