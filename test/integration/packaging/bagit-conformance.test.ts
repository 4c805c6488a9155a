import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyBag } from '../../../electron/pipeline/packaging/bag-verify';
import { STANDARDS } from '../../helpers/xmllint';

const SUITE = path.join(STANDARDS, 'bagit-conformance');
const cases: { name: string; dir: string; expectValid: boolean; expectWarning: boolean }[] = [];
if (existsSync(SUITE)) {
  for (const version of readdirSync(SUITE).filter((v) => v.startsWith('v'))) {
    for (const kind of ['valid', 'invalid', 'warning', 'linux-only', 'windows-only']) {
      const dir = path.join(SUITE, version, kind);
      if (!existsSync(dir)) continue;
      // The OS-specific bags hold absolute, home-folder or UNC paths. Quire judges them invalid on
      // every OS: a package must be portable, and each of them also lists a payload outside data/.
      for (const bag of readdirSync(dir)) {
        cases.push({
          name: `${version}/${kind}/${bag}`,
          dir: path.join(dir, bag),
          expectValid: kind === 'valid' || kind === 'warning',
          // linux-only and windows-only: invalid here too (see above).
          expectWarning: kind === 'warning',
        });
      }
    }
  }
}

describe.skipIf(cases.length === 0)('quire bag verify against the BagIt conformance suite', () => {
  it.each(cases)('$name', async ({ dir, expectValid, expectWarning }) => {
    const verdict = await verifyBag(dir);
    expect(verdict.valid, JSON.stringify(verdict.errors)).toBe(expectValid);
    if (expectWarning) expect(verdict.warnings.length).toBeGreaterThan(0);
  });
});
