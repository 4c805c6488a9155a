import type { batchesCommands } from '../../shared/contract/index';
import { notFound } from '../core/station-error';
import { verifyManifest, withChecksum } from '../pipeline/manifest/verify-manifest';
import type { Station } from '../station';
import type { HandlerTable } from '../transport/dispatch';
import { actor } from './auth-handlers';

export function batchesHandlers(station: Station): Pick<HandlerTable, keyof typeof batchesCommands> {
  const { pipeline } = station;
  return {
    // The console's form cannot compute SHA-256 over canonical JSON: main fills the checksum in
    // when the form sends none; an imported file's own checksum is checked as it stands.
    'batches.create': async ({ manifest }, context) => {
      const filled = isDraft(manifest) ? withChecksum(manifest) : manifest;
      return { batch: await pipeline.create(filled, actor(context)) };
    },
    'batches.validate': ({ manifest }) => {
      const check = verifyManifest(isDraft(manifest) ? withChecksum(manifest) : manifest);
      return { ok: check.ok, issues: check.ok ? [] : check.issues, manifestSha256: check.sha256 };
    },
    'batches.list': (filter) => pipeline.records.list({ ...filter, deviceMatch: 'prefix' }),
    'batches.get': async ({ batchId }) => {
      const detail = await pipeline.records.detail(batchId);
      if (!detail) throw notFound(`batch ${batchId}`);
      return detail;
    },
    'batches.thumbnail': async ({ batchId, page, size }) => ({
      dataUrl: await pipeline.thumbnail(batchId, page, size),
    }),
    'batches.cancel': ({ batchId, reason }, context) => pipeline.cancel(batchId, reason, actor(context)),
    'quarantine.list': () => pipeline.records.quarantined(),
    'quarantine.decide': (input, context) => pipeline.decide(actor(context), input),
    'quarantine.decideMany': (input, context) => pipeline.decideMany(actor(context), input),
  };
}

/** A manifest from the form: an object without a `checksums` field. */
function isDraft(manifest: unknown): manifest is Record<string, unknown> {
  return (
    typeof manifest === 'object' &&
    manifest !== null &&
    !Array.isArray(manifest) &&
    !('checksums' in manifest)
  );
}
