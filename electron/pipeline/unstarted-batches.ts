import type { TaskQueue } from '../queue/queue';
import type { BatchWorkflow } from './batch-workflow';
import { verifyManifest, type ManifestCheck } from './manifest/verify-manifest';
import type { NewAuditEvent } from '../audit/module';
import { quarantineBatch, type StageDeps } from './stages';

/**
 * Batches a stop left between their creation and their first job. Creating a batch stores it
 * (with its manifest's validation event, in one commit) and then enqueues its workflow; a station
 * killed in between leaves a batch in `validating` that no job will ever move, and no sweep for
 * stuck jobs finds it, since it has none. At start, before anything else can create a batch,
 * each one is taken up as creation would have gone on: started, or quarantined if its manifest
 * is invalid. Returns their ids.
 */
export async function startUnstartedBatches(
  deps: StageDeps,
  queue: Pick<TaskQueue, 'list'>,
  workflow: Pick<BatchWorkflow, 'runFrom'>,
): Promise<string[]> {
  const started: string[] = [];
  for (const batch of deps.store.list({ stage: 'validating', limit: 1000, offset: 0 }).items) {
    if ((await queue.list({ batchId: batch.id, limit: 1 })).items.length > 0) continue;
    const check = verifyManifest(deps.store.manifest(batch.id));
    if (!deps.audit.forObject(batch.id).some((e) => e.type === 'validation'))
      deps.audit.record(manifestValidationEvent(check, batch.id, 'system'));
    if (check.ok) await workflow.runFrom(batch.id, check.manifest.device, 'capturing');
    else
      quarantineBatch(deps, batch.id, 'validating', 'Invalid manifest', { validationIssues: check.issues });
    deps.touched(batch.id);
    started.push(batch.id);
  }
  return started;
}

/** The PREMIS validation event of a batch's manifest, as creation records it. */
export function manifestValidationEvent(
  check: ManifestCheck,
  batchId: string,
  person: string,
): NewAuditEvent {
  return {
    type: 'validation',
    outcome: check.ok ? 'success' : 'failure',
    detail: check.ok
      ? `manifest valid, SHA-256 ${check.sha256}`
      : check.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    object: batchId,
    person,
  };
}
