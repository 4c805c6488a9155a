import { createQuireClient, type QuireClient } from '../../../shared/client';
import { QuireCommandError, type QuireApi } from '../../../shared/contract/index';
import { connectionChanged } from '../state/connection';
import { authStatusReceived } from '../state/session';
import { createBridgeTransport } from './bridge-transport';

declare global {
  interface Window {
    quire?: QuireApi;
  }
}

/**
 * Picks the transport once: Electron's preload API when present, else the loopback bridge of
 * the server that served this page (browser mode and e2e tests).
 */
function pickTransport(): QuireApi {
  if (window.quire) {
    connectionChanged('connected');
    return window.quire;
  }
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
  const wsUrl = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/bridge`;
  return createBridgeTransport(wsUrl, token, connectionChanged);
}

const client = createQuireClient(pickTransport());

/**
 * When main refuses a command because the session is signed out or locked (idle lock, account
 * disabled), the console asks main for the session state again, which shows the right screen.
 */
export const quire: QuireClient = {
  async call(name, input) {
    try {
      return await client.call(name, input);
    } catch (error) {
      if (
        error instanceof QuireCommandError &&
        error.code === 'UNAUTHENTICATED' &&
        !name.startsWith('auth.')
      ) {
        client.call('auth.status', {}).then(authStatusReceived, () => {});
      }
      throw error;
    }
  },
  subscribe: (listener) => client.subscribe(listener),
};
