import type { CoreContext } from '../core/core-context';
import { toJobSummary } from './job';
import type { TaskQueue } from './queue';
import { createSqliteTaskQueue } from './sqlite/engine';

export { toJobSummary } from './job';
export type { TaskQueue } from './queue';
/** The station's queue, whichever engine runs it. */
export type QueueModule = TaskQueue;

/**
 * The durable task queue as the station sees it. The pipeline registers job types with
 * `queue.register(type, { schema, queue, retry, softTimeoutMs, hardTimeoutMs, handler })` and
 * builds workflows with `queue.chain`, `queue.group` and `queue.chord`; the console and the CLI
 * use the reads and operations of TaskQueue. `start()` recovers jobs a crash left active, then
 * runs workers. One station alone runs the embedded SQLite engine.
 */
export async function createQueueModule(core: CoreContext): Promise<QueueModule> {
  return createSqliteTaskQueue(core, {
    onChange: (job) => core.events.emit('job.updated', toJobSummary(job)),
    onWorkflow: (wf) =>
      core.logger.info({ workflowId: wf.id, state: wf.state, failure: wf.failure }, 'workflow finished'),
  });
}
