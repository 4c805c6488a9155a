import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { BatchStage, Role } from '../../shared/contract/index';
import type { RetentionPolicy } from '../../shared/contract/transfer';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { conflict, forbidden, type StationError } from '../core/station-error';
import type { Db } from '../storage/index';
import { RetentionStore, type Replica } from './retention-store';

/**
 * Retention: when the station's own copy of a batch may go, once its package sits verified in
 * repository storage.
 *
 * What is pruned: the package (packages/<batch>) and the staging copy (staging/<batch>: masters,
 * derivatives, sidecars, OCR files), together. The package is exactly what every destination
 * verified, by reading it back against its BagIt manifests (or the stored checksums); the staged
 * masters are the same files (hard-linked into the bag, or the same bytes: the consistency check
 * matched the records' SHA-256 against the manifest before the batch completed), so pruning one
 * without the other frees nothing. What stays: the page records with their SHA-256, the PREMIS
 * log (capture, replication, this deletion), and `staging/<batch>/superseded/`, the captures a
 * recapture replaced, which are in no package and so at no destination.
 *
 * Never before verification: every destination the batch was named for or sent to must hold a
 * verified package, and at least one must have checked every file (a sample leaves payload
 * files checked by size only).
 */

/** How the PREMIS deletion event of a pruning begins; `quire verify` recognises it. */
export const PRUNE_DETAIL_PREFIX = 'local copy pruned after verified replication to ';

/** Files of a batch's staging folder that are in no package: never pruned. */
const NOT_REPLICATED = new Set(['superseded']);

const DAY_MS = 24 * 3600_000;

export interface RetentionActor {
  username: string;
  role: Role;
}

/** Where a batch's local copy is, and whether it is finished. */
export interface LocalCopies {
  stage(batchId: string): BatchStage | null;
  staging(batchId: string): string;
  package(batchId: string): string;
}

export interface DeletionRecorder {
  record(event: {
    type: 'deletion';
    outcome: string;
    detail: string;
    object: string;
    person: string;
  }): unknown;
}

export interface RetentionDeps {
  db: Db;
  clock: Clock;
  recorder: DeletionRecorder;
  local: LocalCopies;
  logger?: Logger;
}

export type Eligibility =
  { ok: true; replicas: Replica[]; lastVerifiedAt: number } | { ok: false; reason: string };

export interface PruneResult {
  batchId: string;
  pruned: boolean;
  /** Why nothing was pruned (not due, or already pruned). */
  reason: string | null;
}

export interface Retention {
  policy(): RetentionPolicy;
  /** A supervisor's setting; refused to anyone else. */
  setPolicy(actor: RetentionActor, policy: RetentionPolicy): RetentionPolicy;
  /** Whether the batch's copy could be pruned now (whatever the policy says). */
  eligibility(batchId: string): Eligibility;
  /** Prunes now, at a supervisor's request; refused before verification at every destination. */
  prune(batchId: string, actor: RetentionActor): Promise<PruneResult>;
  /** Prunes what the policy says is due by the clock (one batch, or all); the station runs it. */
  sweep(batchId?: string): Promise<PruneResult[]>;
  readonly store: RetentionStore;
}

export function createRetention(deps: RetentionDeps): Retention {
  const store = new RetentionStore(deps.db);

  const eligibility = (batchId: string): Eligibility => {
    const stage = deps.local.stage(batchId);
    if (stage !== 'completed')
      return {
        ok: false,
        reason: `batch ${batchId} is ${stage ?? 'unknown'}; only a completed batch's copy is pruned`,
      };
    const replicas = store.replicas(batchId);
    if (replicas.length === 0)
      return { ok: false, reason: `batch ${batchId} has not been sent to any destination` };
    const waiting = replicas.filter((r) => r.state !== 'verified');
    if (waiting.length)
      return {
        ok: false,
        reason: `batch ${batchId} is not yet verified at ${waiting.map((r) => `${r.destination} (${r.state})`).join(', ')}`,
      };
    if (!replicas.some((r) => r.verifyMode === 'all'))
      return {
        ok: false,
        reason:
          `batch ${batchId} was verified by sample only (${replicas.map((r) => r.destination).join(', ')}); ` +
          `pruning needs every file verified at one destination at least (verification: every file)`,
      };
    return { ok: true, replicas, lastVerifiedAt: Math.max(...replicas.map((r) => r.verifiedAt ?? 0)) };
  };

  const due = (policy: RetentionPolicy, lastVerifiedAt: number): boolean =>
    policy.keep === 'until-verified' ||
    (policy.keep === 'days' && deps.clock.now() >= lastVerifiedAt + policy.days * DAY_MS);

  const describe = (policy: RetentionPolicy) =>
    policy.keep === 'days'
      ? `kept ${policy.days} day(s) after verified transfer`
      : policy.keep === 'until-verified'
        ? 'kept until verified transfer'
        : 'kept always';

  /** Records the deletion first, then removes: a crash in between is finished by the next sweep. */
  const pruneNow = async (batchId: string, replicas: Replica[], person: string, why: string) => {
    if (!store.prune(batchId)) {
      const where = replicas.map((r) => r.label ?? r.destination).join(', ');
      deps.recorder.record({
        type: 'deletion',
        outcome: 'success',
        detail:
          `${PRUNE_DETAIL_PREFIX}${where} (${why}); removed the package and the staging copy ` +
          `(masters, derivatives, metadata); superseded captures kept`,
        object: batchId,
        person,
      });
      store.beginPrune(batchId, person, deps.clock.now());
    }
    await removeLocalCopy(batchId);
    store.finishPrune(batchId, deps.clock.now());
    deps.logger?.info({ batchId, person }, 'pruned the local copy after verified replication');
  };

  const removeLocalCopy = async (batchId: string) => {
    await fs.rm(deps.local.package(batchId), { recursive: true, force: true });
    const staging = deps.local.staging(batchId);
    const entries = await fs.readdir(staging).catch(() => [] as string[]);
    for (const name of entries)
      if (!NOT_REPLICATED.has(name)) await fs.rm(path.join(staging, name), { recursive: true, force: true });
  };

  const refuse = (batchId: string, reason: string): PruneResult => ({ batchId, pruned: false, reason });

  const sweepOne = async (batchId: string): Promise<PruneResult> => {
    const row = store.prune(batchId);
    if (row?.finishedAt) return refuse(batchId, 'already pruned');
    if (row) {
      // Begun (and recorded) before a crash: finish it.
      await pruneNow(batchId, [], row.person, 'resumed');
      return { batchId, pruned: true, reason: null };
    }
    const check = eligibility(batchId);
    if (!check.ok) return refuse(batchId, check.reason);
    const policy = store.policy();
    if (!due(policy, check.lastVerifiedAt)) return refuse(batchId, `not due (${describe(policy)})`);
    await pruneNow(batchId, check.replicas, 'system', `retention: ${describe(policy)}`);
    return { batchId, pruned: true, reason: null };
  };

  return {
    store,
    policy: () => store.policy(),
    setPolicy(actor, policy) {
      const refusal = supervisorOnly(actor, 'change how long staging copies are kept');
      if (refusal) throw refusal;
      store.setPolicy(policy, actor.username, deps.clock.now());
      return store.policy();
    },
    eligibility,
    async prune(batchId, actor) {
      const refusal = supervisorOnly(actor, 'prune a batch');
      if (refusal) throw refusal;
      if (store.prune(batchId)?.finishedAt) return refuse(batchId, 'already pruned');
      const check = eligibility(batchId);
      if (!check.ok) throw conflict(`nothing pruned: ${check.reason}`);
      await pruneNow(batchId, check.replicas, actor.username, `on request of ${actor.username}`);
      return { batchId, pruned: true, reason: null };
    },
    async sweep(batchId) {
      const results: PruneResult[] = [];
      for (const id of batchId ? [batchId] : store.candidates()) {
        try {
          results.push(await sweepOne(id));
        } catch (error) {
          deps.logger?.warn(
            { batchId: id, err: (error as Error).message },
            'pruning failed; tried again later',
          );
          results.push(refuse(id, (error as Error).message));
        }
      }
      return results;
    },
  };
}

function supervisorOnly(actor: RetentionActor, what: string): StationError | null {
  return actor.role === 'supervisor'
    ? null
    : forbidden(`only a supervisor may ${what}; ${actor.username} is an operator`);
}
