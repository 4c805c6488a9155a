import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BatchSummary, type BatchStage } from '../../shared/contract/index';
import { conflict, invalidInput, notFound, StationError, unavailable } from '../core/station-error';
import { FatalError } from '../queue/errors';
import { stationQueue, type QueueModule } from '../queue/module';
import type { BatchRecords } from '../records/batch-records';
import type { BatchWorkflow } from './batch-workflow';
import { decideRefusal, enforce, type Actor } from './batch-policy';
import { STAGE_ORDER } from './stage-refs';
import { masterObject, stagedMasters } from './staged-masters';
import type { StageDeps } from './stages';

export type Decision = { batchId: string; reason: string; note: string } & (
  { decision: 'release' } | { decision: 'reject' } | { decision: 'requeue'; pages?: number[] }
);

const DecisionPayload = z.object({
  batchId: z.string(),
  station: z.string(),
  actor: z.object({ username: z.string(), role: z.enum(['operator', 'supervisor']) }),
  decision: z.enum(['release', 'requeue', 'reject']),
  reason: z.string(),
  note: z.string(),
  pages: z.array(z.number().int().positive()).optional(),
});
type DecisionPayload = z.infer<typeof DecisionPayload>;

export interface DecisionsDeps {
  stages: StageDeps;
  workflow: BatchWorkflow;
  jobs: QueueModule;
  quarantineReasons: () => readonly string[];
  /** Lab mode: this station's name and the lab's records, where every station's batches are. */
  lab: { station: string; records: BatchRecords } | null;
  /** How long a decision for another station's batch waits for that station's answer. */
  forwardTimeoutMs?: number;
}

export interface Decisions {
  decide(actor: Actor, decision: Decision): Promise<BatchSummary>;
  /**
   * Finishes decisions that a crash interrupted after their commit and before their jobs were
   * queued (their superseded pages moved aside, their workflow started). Returns how many.
   */
  resumeInterrupted(): Promise<number>;
}

/**
 * A supervisor's decision on a quarantined batch. The station that holds the batch's records
 * applies it: the decision, the batch's new stage, the forgotten page records and the audit
 * events are one commit, so a station killed half-way has either decided or not. The files
 * moved aside and the jobs queued after that commit are redone at start if a crash cut them
 * short. In a lab, a decision on a batch of another station is sent to that station's own
 * queue and applied there, so it is recorded once, by the station that holds the batch.
 */
export function createDecisions(deps: DecisionsDeps): Decisions {
  const { core, store, audit } = deps.stages;
  const WORKING = new Set<BatchStage>(STAGE_ORDER);

  /** Checks that do not need the batch's own records: the same at every station. */
  const checkReason = (decision: Decision) => {
    if (!deps.quarantineReasons().includes(decision.reason))
      throw invalidInput('choose a reason from the configured list', [
        { path: 'reason', message: `"${decision.reason}" is not one of the configured reasons` },
      ]);
  };

  /** Where a decision's superseded files go: one folder per decision, the same after a restart. */
  const asideFor = (batchId: string, decidedAt: string) =>
    path.join(core.layout.batchStaging(batchId), 'superseded', String(Date.parse(decidedAt)));

  /** Moves files aside, never deleting them: the recapture must find the slots empty. */
  const moveAside = (batchId: string, files: readonly string[], decidedAt: string) => {
    const aside = asideFor(batchId, decidedAt);
    for (const file of files) {
      if (!existsSync(file)) continue; // moved before a restart
      mkdirSync(aside, { recursive: true });
      renameSync(file, path.join(aside, path.basename(file)));
    }
  };

  async function decideHere(actor: Actor, decision: Decision): Promise<BatchSummary> {
    const { batchId } = decision;
    enforce(decideRefusal(batchId, store.summary(batchId), actor));
    const detail = store.detail(batchId);
    if (!detail) throw notFound(`batch ${batchId}`);
    if (detail.stage !== 'quarantined' || !detail.quarantine)
      throw conflict(`batch ${batchId} is ${detail.stage}, not quarantined`);
    checkReason(decision);
    const failed = detail.quarantine.stage;
    if (failed === 'validating' && decision.decision !== 'reject')
      throw conflict('an invalid manifest cannot continue: reject it and import a corrected manifest');
    const pages = decision.decision === 'requeue' ? decision.pages : undefined;
    // A page of the batch, or a slot its review lists as missing (in a batch read until the
    // feeder is empty, a last page that was not kept is one).
    const choosable = new Set([...detail.pages, ...detail.missingPages].map((p) => p.page));
    if (pages?.some((p) => !choosable.has(p) && p > (detail.pagesExpected ?? 0)))
      throw invalidInput('a chosen page is not part of this batch', [
        { path: 'pages', message: 'unknown page number' },
      ]);
    const next: BatchStage =
      decision.decision === 'reject'
        ? 'rejected'
        : pages
          ? 'capturing'
          : decision.decision === 'release'
            ? (STAGE_ORDER[STAGE_ORDER.indexOf(failed) + 1] ?? 'packaging')
            : failed;
    const text = `${decision.reason}${decision.note ? ` — ${decision.note}` : ''}`;
    const superseded = pages ? pages.flatMap((n) => store.page(batchId, n) ?? []) : [];
    // One commit: a station killed half-way has decided all of this, or nothing.
    const decidedAt = core.db.transaction(() => {
      store.recordDecision(batchId, {
        decision: decision.decision,
        by: actor.username,
        reason: decision.reason,
        note: decision.note,
        pages,
      });
      const at = store.detail(batchId)!.decisions.at(-1)!.at;
      for (const page of superseded) {
        const moved = path.join(asideFor(batchId, at), path.basename(page.masterPath));
        audit.record({
          type: 'filename change',
          outcome: 'superseded',
          detail: `moved to ${path.relative(core.layout.root, moved)} for a recapture`,
          object: masterObject(batchId, page.page, page.masterPath),
          person: actor.username,
        });
      }
      if (pages) store.forgetPages(batchId, pages);
      store.setStage(batchId, next);
      audit.record(
        decision.decision === 'reject'
          ? { type: 'appraisal', outcome: 'rejected', detail: text, object: batchId, person: actor.username }
          : {
              type: 'unquarantine',
              outcome:
                decision.decision === 'release'
                  ? 'released'
                  : pages
                    ? `requeued pages ${pages.join(', ')}`
                    : 'requeued',
              detail: text,
              object: batchId,
              person: actor.username,
            },
      );
      stopHereForTests('before-commit');
      return at;
    })();
    stopHereForTests('after-commit');
    moveAside(
      batchId,
      superseded.flatMap((p) => [p.masterPath, p.accessPath, p.thumbnailPath, p.sidecarPath].filter(isPath)),
      decidedAt,
    );
    if (next !== 'rejected') await deps.workflow.runFrom(batchId, detail.device, next, pages);
    core.events.emit('quarantine.changed', { batchId, quarantined: false, reason: null });
    deps.stages.touched(batchId);
    const summary = store.summary(batchId)!;
    return deps.lab ? { ...summary, station: deps.lab.station } : summary;
  }

  /** A decision on another station's batch: sent to that station's queue, answered by it. */
  async function forward(station: string, actor: Actor, decision: Decision): Promise<BatchSummary> {
    checkReason(decision);
    const payload: DecisionPayload = {
      batchId: decision.batchId,
      station,
      actor: { username: actor.username, role: actor.role },
      decision: decision.decision,
      reason: decision.reason,
      note: decision.note,
      ...(decision.decision === 'requeue' && decision.pages ? { pages: decision.pages } : {}),
    };
    const timeoutMs = deps.forwardTimeoutMs ?? 15_000;
    try {
      const [result] = await deps.jobs.runAndAwait(
        [{ type: 'batch.decide', payload, options: { batchId: decision.batchId } }],
        { signal: AbortSignal.timeout(timeoutMs) },
      );
      return BatchSummary.parse(result);
    } catch (error) {
      if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError')
        throw conflict(
          `station ${station} holds batch ${decision.batchId} and did not answer within ${timeoutMs / 1000} s; ` +
            'the decision waits in its queue and is applied when the station is back',
        );
      // The holding station refused: its message says why (a fatal job error carries it).
      throw conflict(
        (error as Error).message.replace(/^batch\.decide job \S+ (failed|was quarantined): /, ''),
      );
    }
  }

  if (deps.lab)
    deps.jobs.register('batch.decide', {
      schema: DecisionPayload,
      queue: (p) => stationQueue(p.station),
      handler: async (p, { job }) => {
        const done = alreadyDecided(p, job.createdAt);
        if (done) return done;
        try {
          return await decideHere(p.actor, { ...p } as Decision);
        } catch (error) {
          // A refusal is an answer, not a failure to retry.
          if (error instanceof StationError) throw new FatalError(error.message);
          throw error;
        }
      },
    });

  /** A redelivered decision job whose decision was committed before a crash: its answer. */
  function alreadyDecided(p: DecisionPayload, since: number): BatchSummary | null {
    const detail = store.detail(p.batchId);
    const last = detail?.decisions.at(-1);
    if (!detail || !last || detail.stage === 'quarantined') return null;
    const same =
      last.decision === p.decision &&
      last.by === p.actor.username &&
      last.reason === p.reason &&
      last.note === p.note &&
      Date.parse(last.at) >= since;
    return same ? store.summary(p.batchId) : null;
  }

  return {
    async decide(actor, decision) {
      if (deps.lab && !store.summary(decision.batchId)) {
        const held = await deps.lab.records.summary(decision.batchId).catch((error: Error) => {
          throw unavailable(
            `batch ${decision.batchId} is held by another station and the lab database is unreachable (${error.message}); the decision waits until it is back`,
          );
        });
        enforce(decideRefusal(decision.batchId, held, actor));
        if (held?.station && held.station !== deps.lab.station) return forward(held.station, actor, decision);
      }
      return decideHere(actor, decision);
    },
    async resumeInterrupted() {
      let resumed = 0;
      for (const stage of STAGE_ORDER) {
        for (const batch of store.list({ stage, offset: 0, limit: 1000 }).items) {
          const last = store.detail(batch.id)?.decisions.at(-1);
          if (!last || last.decision === 'reject' || !WORKING.has(batch.stage)) continue;
          const jobs = await deps.jobs.list({ batchId: batch.id, limit: 500 });
          const decidedAt = Date.parse(last.at);
          if (jobs.items.some((job) => job.createdAt >= decidedAt)) continue;
          // Decided, and then nothing was queued: the station stopped between the two.
          core.logger.warn(
            { batchId: batch.id, decision: last.decision },
            'resuming an interrupted decision',
          );
          const pages = last.pages ?? undefined;
          if (pages) {
            // The records of the chosen pages are gone; a master still in its slot is the
            // superseded one (derivatives are made again from the recaptured master).
            const staged = await stagedMasters(core.layout.batchMasters(batch.id));
            const left = pages.filter((n) => !store.page(batch.id, n)).flatMap((n) => staged.get(n) ?? []);
            moveAside(batch.id, left, last.at);
          }
          await deps.workflow.runFrom(batch.id, batch.device, batch.stage, pages);
          resumed += 1;
        }
      }
      return resumed;
    },
  };
}

const isPath = (file: string | null): file is string => file !== null;

/**
 * A test seam: with QUIRE_TEST_STOP_IN_DECISION set to `before-commit` or `after-commit`, this
 * process is killed there (SIGKILL, as a power cut would) while it applies a decision.
 */
function stopHereForTests(where: 'before-commit' | 'after-commit'): void {
  if (process.env.QUIRE_TEST_STOP_IN_DECISION === where) process.kill(process.pid, 'SIGKILL');
}
