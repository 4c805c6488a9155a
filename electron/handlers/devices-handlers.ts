import type { devicesCommands } from '../../shared/contract/index';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';
import { actor } from './auth-handlers';

export function devicesHandlers(station: Station): Pick<HandlerTable, keyof typeof devicesCommands> {
  const { devices } = station;
  return {
    'devices.list': () => devices.list(),
    'devices.add': (config, context) => devices.add(config, context.session.user?.username),
    'devices.update': (config, context) => devices.update(config, context.session.user?.username),
    'devices.remove': ({ name }) => {
      devices.remove(name);
      return { removed: name };
    },
    'devices.connect': ({ name }) => {
      devices.get(name).connect();
      return devices.list().find((d) => d.name === name)!;
    },
    'devices.disconnect': ({ name }) => {
      devices.get(name).disconnect();
      return devices.list().find((d) => d.name === name)!;
    },
    'devices.reset': ({ name }, context) => station.pipeline.resetAfterJam(name, actor(context)),
    'devices.acknowledgeAlert': ({ name }) => {
      devices.acknowledgeAlert(name);
      return { ok: true as const };
    },
    'devices.work': () => station.pipeline.work.list(),
    'devices.acknowledgeHold': ({ name, note }, context) =>
      station.pipeline.work.acknowledgeHold(name, actor(context), note),
    'devices.injectFault': ({ name, fault }) => {
      devices.injectFault(name, fault);
      return { ok: true as const };
    },
  };
}
