import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock';
import { FatalError } from '../errors';
import type { StepSpec, WorkflowKind, WorkflowOutcome, WorkflowState } from '../queue';
import type { JobRecord, QueueStore } from './store';

export type { StepSpec, WorkflowKind, WorkflowOutcome, WorkflowState } from '../queue';

interface WorkflowRow {
  id: string;
  kind: WorkflowKind;
  state: string;
  steps: string;
  position: number;
  total: number;
  done: number;
  callback: string | null;
}

type Enqueue = (type: string, payload: unknown, options: StepSpec['options'], workflowId: string) => void;

/**
 * Chain, group and chord as rows in SQLite. Every move of a workflow happens inside the
 * transaction that acknowledges (or fails) the job that caused it, so a crash mid-workflow
 * resumes where it stood: it never loses the next step and never enqueues it twice.
 */
export class Workflows {
  constructor(
    private readonly store: QueueStore,
    private readonly clock: Clock,
    private readonly enqueue: Enqueue,
    /** Called once a workflow ended; the queue defers it until the transaction committed. */
    private readonly finished: (outcome: WorkflowOutcome) => void,
  ) {}

  create(kind: WorkflowKind, steps: StepSpec[], callback: StepSpec | null): string {
    if (steps.length === 0) throw new FatalError(`a ${kind} needs at least one step`);
    const id = randomUUID();
    const now = this.clock.now();
    this.store.atomically(() => {
      this.store.db
        .prepare(
          `INSERT INTO queue_workflows (id, kind, state, steps, total, callback, created_at, updated_at) VALUES (?, ?, 'running', ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          kind,
          JSON.stringify(steps),
          steps.length,
          callback ? JSON.stringify(callback) : null,
          now,
          now,
        );
      const first = kind === 'chain' ? steps.slice(0, 1) : steps;
      for (const step of first) this.enqueue(step.type, step.payload, step.options, id);
    });
    return id;
  }

  state(id: string): WorkflowState | null {
    return (
      (this.store.db
        .prepare('SELECT kind, state, position, done, total, failure FROM queue_workflows WHERE id = ?')
        .get(id) as WorkflowState | undefined) ?? null
    );
  }

  /** Runs inside the ack's transaction: moves the job's workflow on. */
  advance(job: JobRecord): void {
    if (!job.workflowId) return;
    const db = this.store.db;
    const wf = db.prepare('SELECT * FROM queue_workflows WHERE id = ?').get(job.workflowId) as
      WorkflowRow | undefined;
    if (!wf || wf.state !== 'running') return;
    const now = this.clock.now();
    if (wf.kind === 'chain') {
      const steps = JSON.parse(wf.steps) as StepSpec[];
      const next = wf.position + 1;
      if (next < steps.length) {
        db.prepare(
          'UPDATE queue_workflows SET position = ?, done = done + 1, updated_at = ? WHERE id = ?',
        ).run(next, now, wf.id);
        const step = steps[next]!;
        this.enqueue(step.type, step.payload, step.options, wf.id);
      } else {
        this.finish(wf.id, 'completed', null);
      }
      return;
    }
    if (wf.done >= wf.total) {
      // The chord's callback itself completed.
      this.finish(wf.id, 'completed', null);
      return;
    }
    db.prepare('UPDATE queue_workflows SET done = done + 1, updated_at = ? WHERE id = ?').run(now, wf.id);
    if (wf.done + 1 < wf.total) return;
    if (wf.kind === 'chord' && wf.callback) {
      const callback = JSON.parse(wf.callback) as StepSpec;
      this.enqueue(callback.type, callback.payload, callback.options, wf.id);
    } else {
      this.finish(wf.id, 'completed', null);
    }
  }

  /** A member ended quarantined (or cancelled): the workflow fails visibly instead of hanging. */
  fail(job: JobRecord): void {
    if (!job.workflowId || this.state(job.workflowId)?.state !== 'running') return;
    this.finish(
      job.workflowId,
      'failed',
      `${job.type} job ${job.id} ended ${job.state}: ${job.lastError ?? ''}`,
    );
  }

  private finish(id: string, state: 'completed' | 'failed', failure: string | null): void {
    this.store.db
      .prepare('UPDATE queue_workflows SET state = ?, failure = ?, updated_at = ? WHERE id = ?')
      .run(state, failure, this.clock.now(), id);
    this.finished({ id, state, failure });
  }
}
