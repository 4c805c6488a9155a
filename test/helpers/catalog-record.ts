import type { StoredAsset } from '../../shared/contract/index';

/**
 * A catalog record as a sync stores it: a public object with a rights statement, no embargo and
 * its tier from the collection-management system, with `over` changing any field.
 */
export function catalogRecord(accession: string, over: Partial<StoredAsset> = {}): StoredAsset {
  return {
    accession_number: accession,
    title: `Object ${accession}`,
    media_url: `https://media.example.org/${accession}.jpg`,
    rights_statement: 'http://rightsstatements.org/vocab/NoC-US/1.0/',
    embargo_date: null,
    access_tier: 'public',
    iiif_manifest: null,
    lido_namespace: 'http://www.lido-schema.org/',
    tier_source: 'cms',
    synced_at: '2026-11-30T10:00:00Z',
    ...over,
  };
}
