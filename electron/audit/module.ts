import type { CoreContext } from '../core/core-context';

/** The hash-chained PREMIS audit log (filled in by the pipeline issue). */
export interface AuditModule {
  close(): Promise<void>;
}

export async function createAuditModule(core: CoreContext): Promise<AuditModule> {
  void core;
  return { close: async () => {} };
}
