import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { BatchStage } from '../../shared/contract/index';
import { conflict, notFound } from '../core/station-error';
import { FatalError, TransientError } from '../queue/errors';
import type { QueueProducer } from '../queue/queue';
import { TransferError, type TransferModule } from '../transfer/index';

export const TransferRef = z.object({
  batchId: z.string(),
  destination: z.string(),
  /** In a lab, the station that holds the batch (and its destinations): its own queue runs the transfer. */
  station: z.string().optional(),
});

export interface TransferStageDeps {
  transfer: TransferModule;
  /** Where a batch's finished package is. */
  packageDir: (batchId: string) => string;
  /** The batch's stage, or null for a batch this station does not know. */
  stage: (batchId: string) => BatchStage | null;
}

/**
 * Only a completed batch's package leaves the station. A package of a batch in quarantine may
 * lack a page (the check that quarantined it says which), and one of a cancelled or rejected
 * batch is not the collection's: sent, either would be recorded as a verified replication.
 */
export function transferRefusal(batchId: string, stage: BatchStage | null): string | null {
  if (stage === 'completed') return null;
  return stage === null
    ? `this station has no batch ${batchId}`
    : `batch ${batchId} is ${stage}: only a completed batch's package is sent`;
}

/** Refusals no retry can change: the queue quarantines them at once for a supervisor. */
const FATAL = new Set([
  'HOST_KEY_MISMATCH',
  'AUTH_FAILED',
  'BAD_DESTINATION',
  'ALREADY_EXISTS',
  'PACKAGE_INCOMPLETE',
]);

/**
 * `batch.transfer`: sends a packaged batch to a repository destination and verifies it there.
 * A transfer resumes from its saved progress, so the queue's retries (a dropped network, a full
 * share being cleared) cost only what had not yet arrived. A verification failure is retried:
 * the files that failed are sent again.
 */
export async function transferStage(
  deps: TransferStageDeps,
  payload: z.output<typeof TransferRef>,
  signal: AbortSignal,
): Promise<void> {
  const refusal = transferRefusal(payload.batchId, deps.stage(payload.batchId));
  if (refusal) throw new FatalError(refusal);
  try {
    const result = await deps.transfer.run({
      batchId: payload.batchId,
      packageDir: deps.packageDir(payload.batchId),
      destination: payload.destination,
      person: 'system',
      signal,
    });
    if (!result.verified)
      throw new TransientError(
        `${payload.batchId} at ${payload.destination} failed verification (${result.errors.slice(0, 3).join('; ')}); the files that failed are sent again`,
      );
  } catch (error) {
    if (error instanceof TransferError && FATAL.has(error.code))
      throw new FatalError(error.message, { code: error.code });
    throw error;
  }
}

/** Registers the stage on the io queue: long-running, retried with backoff like any stage. */
export function registerTransferStage(
  jobs: QueueProducer,
  deps: TransferStageDeps,
  queue: string | ((payload: { station?: string }) => string) = 'io',
): void {
  jobs.register('batch.transfer', {
    schema: TransferRef,
    queue,
    retry: { retries: 5, baseMs: 30_000, capMs: 30 * 60_000 },
    // A 30 GB package over a shaped link takes hours; stopping is by the signal, between writes.
    softTimeoutMs: 24 * 3600_000,
    hardTimeoutMs: 25 * 3600_000,
    handler: (p, { signal }) => transferStage(deps, p, signal),
  });
}

/**
 * The chain steps that send a newly packaged batch on: to the destinations its manifest names
 * (its scan profile's, as the form filled them in), else to every automatic destination.
 */
export const transferSteps = (
  transfer: TransferModule | undefined,
  batchId: string,
  named?: readonly string[],
  station?: string,
) => {
  const destinations = transfer ? (named ?? transfer.automatic()) : [];
  // Remembered now: the batch's copy is kept until every one of them holds it verified.
  transfer?.expect(batchId, destinations);
  return destinations.map((destination) => ({
    type: 'batch.transfer',
    payload: station ? { batchId, destination, station } : { batchId, destination },
    options: { batchId },
  }));
};

/**
 * Queues a transfer on demand (an older package, another destination): only a finished package
 * (its bagit.txt written last) to a configured destination.
 */
export async function queueTransfer(
  jobs: QueueProducer,
  deps: TransferStageDeps,
  batchId: string,
  destination: string,
  /** In a lab, this station's name: the transfer runs on its own queue, where its package is. */
  station?: string,
): Promise<{ jobId: string }> {
  if (!deps.transfer.destinations().some((d) => d.name === destination))
    throw notFound(`destination ${destination}`);
  const refusal = transferRefusal(batchId, deps.stage(batchId));
  if (refusal) throw deps.stage(batchId) === null ? notFound(`batch ${batchId}`) : conflict(refusal);
  if (deps.transfer.retention.store.prune(batchId))
    throw conflict(
      `batch ${batchId}'s local copy was pruned after verified replication; send it from a repository copy`,
    );
  if (!existsSync(path.join(deps.packageDir(batchId), 'bagit.txt')))
    throw conflict(`batch ${batchId} has no finished package to transfer`);
  deps.transfer.expect(batchId, [destination]);
  const payload = station ? { batchId, destination, station } : { batchId, destination };
  const job = await jobs.enqueue('batch.transfer', payload, { batchId });
  return { jobId: job.id };
}

/** Why a batch's named destinations cannot be used (not configured here), or null. */
export function unknownDestinations(
  transfer: TransferModule | undefined,
  named: readonly string[] | undefined,
): string | null {
  if (!named?.length) return null;
  const known = new Set((transfer?.destinations() ?? []).map((d) => d.name));
  const unknown = named.filter((name) => !known.has(name));
  if (unknown.length === 0) return null;
  return (
    `this station has no storage destination ${unknown.map((n) => `"${n}"`).join(', ')} ` +
    `(configured: ${[...known].join(', ') || 'none'}); a supervisor adds destinations in Settings → Storage`
  );
}
