import type { AssetRecord } from '../../shared/contract/index';

export type Tier = 'public' | 'research' | 'restricted';

/**
 * The access tier when the CMS gives none, from the rights statement (rightsstatements.org):
 * - an embargo date in the future → restricted until then;
 * - "No Copyright" (NoC-…) or a Creative Commons licence → public;
 * - "In Copyright – Educational Use Permitted" (InC-EDU) → research;
 * - any other In Copyright statement, or anything unrecognised → restricted (the safe default).
 */
export function deriveTier(
  record: Pick<AssetRecord, 'rights_statement' | 'embargo_date'>,
  today: string,
): Tier {
  if (record.embargo_date && record.embargo_date > today) return 'restricted';
  const rights = record.rights_statement.toLowerCase();
  if (
    /rightsstatements\.org\/vocab\/noc-|creativecommons\.org\/(publicdomain|licenses)\//.test(rights) ||
    rights.includes('public domain')
  )
    return 'public';
  if (rights.includes('/inc-edu/')) return 'research';
  return 'restricted';
}

/** What a package may expose: an embargo overrides even a CMS-given public tier. */
export function effectiveAccess(
  record: { access_tier: Tier; embargo_date?: string | null },
  today: string,
): { tier: Tier; iiifPublic: boolean; reason: string } {
  if (record.embargo_date && record.embargo_date > today)
    return { tier: 'restricted', iiifPublic: false, reason: `embargoed until ${record.embargo_date}` };
  return {
    tier: record.access_tier,
    iiifPublic: record.access_tier === 'public',
    reason: record.access_tier,
  };
}
