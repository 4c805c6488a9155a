import { createQuireClient, type QuireClient } from '../../../shared/client';
import type { QuireApi } from '../../../shared/contract/index';
import { connectionChanged } from '../state/connection';
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

export const quire: QuireClient = createQuireClient(pickTransport());
