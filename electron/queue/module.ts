import type { CoreContext } from '../core/core-context';

/** The durable task queue as the station sees it (filled in by the queue issue). */
export interface QueueModule {
  close(): Promise<void>;
}

export async function createQueueModule(core: CoreContext): Promise<QueueModule> {
  void core;
  return { close: async () => {} };
}
