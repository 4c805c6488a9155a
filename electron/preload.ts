import { contextBridge, ipcRenderer } from 'electron';
import type { QuireApi, WireEvent, WireResult } from '../shared/contract/index';

// Sandboxed preload: it exposes exactly one narrow object and nothing of ipcRenderer. Channel
// names are repeated here (not imported) because a sandboxed preload cannot load other modules
// at run time; the bundle inlines only type imports.
const INVOKE_CHANNEL = 'quire:invoke';
const EVENT_CHANNEL = 'quire:event';

const api = {
  invoke: (command: string, input: unknown) =>
    ipcRenderer.invoke(INVOKE_CHANNEL, command, input) as Promise<WireResult>,
  onEvent: (listener: (event: WireEvent) => void) => {
    const handler = (_event: unknown, payload: WireEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
} satisfies QuireApi;

contextBridge.exposeInMainWorld('quire', api);
