import type { discoveryCommands } from '../../shared/contract/index';
import { discoverScannersShared } from '../scanner/discovery/discover';
import type { HandlerTable } from '../transport/dispatch';

export function discoveryHandlers(): Pick<HandlerTable, keyof typeof discoveryCommands> {
  return {
    'devices.discover': ({ seconds }) => discoverScannersShared(seconds),
  };
}
