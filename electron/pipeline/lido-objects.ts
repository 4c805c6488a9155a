import type { StoredAsset } from '../../shared/contract/index';
import type { BatchManifest } from '../../shared/domain/manifest';
import { lidoProblems, type LidoObject } from '../catalog/lido/lido-object';
import { FatalError } from '../queue/errors';

/**
 * The objects a LIDO batch describes: one per accession number it names, from that object's
 * catalog record where the station has one (the CMS is the authority for title and rights)
 * completed by the manifest (work type, creator, date, inscriptions, credit line); a batch that
 * names no object is described as one object under the batch's id. Resources are added by the
 * packager, which knows the access copies and whether the batch is public.
 */
export function lidoObjectsForBatch(
  manifest: BatchManifest,
  lookup: (accession: string) => StoredAsset | null,
  organization: string,
): LidoObject[] {
  const d = manifest.descriptive;
  const numbers = d.accession_numbers.length > 0 ? d.accession_numbers : [manifest.batch_id];
  const objects = numbers.map((accession): LidoObject => {
    const record = d.accession_numbers.length > 0 ? lookup(accession) : null;
    return {
      recordId: `${organization}:${accession}`,
      source: organization,
      workType: d.object_work_type ?? 'Object',
      title: record?.title ?? d.title,
      inscriptions: d.inscriptions ?? [],
      ...(d.creator ? { creator: d.creator } : {}),
      ...(d.date ? { date: d.date } : {}),
      repository: organization,
      accessionNumber: accession,
      rightsStatement: record?.rights_statement ?? d.rights_statement,
      ...(d.credit_line ? { creditLine: d.credit_line } : {}),
      resources: [],
    };
  });
  // A record that cannot be valid LIDO fails the package loudly: never a broken record in a bag.
  const problems = objects.flatMap((o) => lidoProblems(o).map((p) => `${o.accessionNumber}: ${p}`));
  if (problems.length > 0) throw new FatalError(`cannot describe the batch in LIDO: ${problems.join('; ')}`);
  return objects;
}
