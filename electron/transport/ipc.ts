import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/logger';
import {
  dispatch,
  maySeeEvents,
  newSession,
  type HandlerTable,
  type Session,
  type SessionGuard,
} from './dispatch';
import { EventCoalescer } from './event-coalescer';
import { isAppUrl } from './security-policy';

export const INVOKE_CHANNEL = 'quire:invoke';
export const EVENT_CHANNEL = 'quire:event';

/**
 * The Electron IPC adapter: the only place ipcMain is used. It serves the same handler table as
 * the WebSocket bridge, after checking that the sender is the app's own main frame (a frame
 * that navigated elsewhere, or an iframe, gets nothing).
 */
export function registerIpc(options: {
  table: HandlerTable;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  validateOutput: boolean;
  sessionGuard?: SessionGuard;
}): { attach(contents: WebContents): void; dispose(): void } {
  const sessions = new Map<number, Session>();

  ipcMain.handle(INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, command: unknown, input: unknown) => {
    const frame = event.senderFrame;
    if (!frame || frame !== event.sender.mainFrame || !isAppUrl(frame.url)) {
      options.logger.warn({ url: frame?.url }, 'IPC from an untrusted frame refused');
      return { ok: false, error: { code: 'FORBIDDEN', message: 'IPC is only accepted from the app window' } };
    }
    let session = sessions.get(event.sender.id);
    if (!session) {
      session = newSession(options.clock.now());
      sessions.set(event.sender.id, session);
    }
    return dispatch(
      options.table,
      command,
      input,
      { session, transport: 'ipc' },
      {
        logger: options.logger,
        validateOutput: options.validateOutput,
        sessionGuard: options.sessionGuard,
      },
    );
  });

  return {
    attach(contents) {
      const coalescer = new EventCoalescer((batch) => {
        if (!contents.isDestroyed() && mayReceive()) batch.forEach((e) => contents.send(EVENT_CHANNEL, e));
      }, options.clock);
      // Only to a person signed in at an unlocked console (the window's session, once it has one).
      const mayReceive = () => {
        const session = sessions.get(contents.id);
        return session !== undefined && maySeeEvents(session, options.sessionGuard);
      };
      const unsubscribe = options.events.subscribe((e) => {
        if (mayReceive()) coalescer.push(e);
      });
      contents.once('destroyed', () => {
        unsubscribe();
        coalescer.close();
        sessions.delete(contents.id);
      });
    },
    dispose() {
      ipcMain.removeHandler(INVOKE_CHANNEL);
    },
  };
}
