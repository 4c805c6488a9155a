import { describe, expect, it } from 'vitest';
import { validateXml, xmllintUnavailableReason } from '../../helpers/xmllint';

describe('the xmllint helper never lets a missing tool pass for a valid document', () => {
  const noTools = { ...process.env, PATH: '/nonexistent' };

  it('names the missing tool as the reason to skip', () => {
    expect(xmllintUnavailableReason(noTools)).toMatch(/xmllint is not installed/);
  });

  it('throws rather than answering when xmllint cannot run', () => {
    expect(() => validateXml('<a/>', 'premis/premis-v3-0.xsd', noTools)).toThrow(/xmllint could not run/);
  });
});
