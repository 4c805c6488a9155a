import type { transferCommands } from '../../shared/contract/index';
import { invalidInput } from '../core/station-error';
import { actor } from './auth-handlers';
import { queueTransfer } from '../pipeline/transfer-stage';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';

export function transferHandlers(station: Station): Pick<HandlerTable, keyof typeof transferCommands> {
  const { transfer } = station;
  const rejected = (error: unknown) => invalidInput((error as Error).message);
  return {
    'transfer.destinations': () => transfer.destinations(),
    'transfer.saveDestination': async ({ destination, secret }) => {
      try {
        return await transfer.saveDestination(destination, secret);
      } catch (error) {
        throw rejected(error);
      }
    },
    'transfer.removeDestination': ({ name }) => transfer.removeDestination(name),
    'transfer.start': ({ batchId, destination }) =>
      queueTransfer(
        station.queue,
        {
          transfer,
          packageDir: (id) => station.layout.batchPackage(id),
          stage: (id) => station.pipeline.store.summary(id)?.stage ?? null,
        },
        batchId,
        destination,
        station.lab?.station,
      ),
    'transfer.status': () => transfer.status(),
    'transfer.retention': () => transfer.retention.policy(),
    'transfer.hostKeys': () => transfer.hostKeys(),
    'transfer.forgetHostKey': ({ host }, context) => transfer.forgetHostKey(actor(context), host),
    // Who may change it is the core's rule (retention.setPolicy), not this handler's.
    'transfer.setRetention': ({ retention }, context) =>
      transfer.retention.setPolicy(actor(context), retention),
  };
}
