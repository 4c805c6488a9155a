import type { StoredAsset } from '../../shared/contract/index';
import type { BatchManifest } from '../../shared/domain/manifest';
import type { DescriptiveMetadata } from './packaging/package-input';

const RANK = { public: 0, research: 1, restricted: 2 } as const;

/**
 * The package's descriptive metadata: the manifest's, completed and overridden by the catalog
 * records of the accession numbers it names. The CMS is the authority for rights and access,
 * so the most restrictive tier and the latest embargo among the manifest and its records win:
 * one restricted object makes the whole batch restricted (and keeps it out of IIIF).
 */
export function descriptiveFromCatalog(
  manifest: BatchManifest,
  lookup: (accession: string) => StoredAsset | null,
): { descriptive: DescriptiveMetadata; sources: string[] } {
  const d = manifest.descriptive;
  const records = d.accession_numbers.map(lookup).filter((r): r is StoredAsset => r !== null);
  const descriptive: DescriptiveMetadata = {
    title: d.title,
    creator: d.creator,
    date: d.date,
    rightsStatement: d.rights_statement,
    accessTier: d.access_tier,
    embargoDate: d.embargo_date ?? null,
    accessionNumbers: d.accession_numbers,
  };
  const only = records.length === 1 ? records[0] : undefined;
  if (only) {
    descriptive.title = only.title;
    descriptive.rightsStatement = only.rights_statement;
  }
  for (const record of records) {
    if (RANK[record.access_tier] > RANK[descriptive.accessTier]) descriptive.accessTier = record.access_tier;
    if (record.embargo_date && (!descriptive.embargoDate || record.embargo_date > descriptive.embargoDate))
      descriptive.embargoDate = record.embargo_date;
  }
  return { descriptive, sources: records.map((r) => r.accession_number) };
}
