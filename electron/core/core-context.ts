import type { DataDir, Db } from '../storage/index';
import type { Clock } from './clock';
import type { EventBus } from './event-bus';
import type { Logger } from './logger';

/** What every core module is built from: injected, so the CLI and tests can pass fakes. */
export interface CoreContext {
  readonly layout: DataDir;
  readonly db: Db;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly clock: Clock;
}
