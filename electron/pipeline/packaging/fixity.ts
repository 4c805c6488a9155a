import { verifyBag, type BagVerdict } from './bag-verify';

/**
 * Re-hashes a package against its manifests. Every changed, missing or extra file is named;
 * the caller records the PREMIS "fixity check" event with the outcome.
 */
export async function fixityCheck(bagDir: string): Promise<BagVerdict & { checkedAt: string }> {
  const verdict = await verifyBag(bagDir);
  return { ...verdict, checkedAt: new Date().toISOString() };
}
