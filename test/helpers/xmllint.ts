import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The official schemas beside the repository (../shared/standards), validated offline. */
export const STANDARDS = path.resolve('..', 'shared', 'standards');

export function xmllintUnavailableReason(): string | null {
  if (spawnSync('xmllint', ['--version']).error)
    return 'xmllint is not installed (apt-get install -y libxml2-utils)';
  if (!existsSync(path.join(STANDARDS, 'catalog.xml'))) return `no standards folder at ${STANDARDS}`;
  return null;
}

/** Validates XML text against a schema under ../shared/standards; returns xmllint's verdict. */
export function validateXml(xml: string, schema: string): { valid: boolean; output: string } {
  const file = path.join(os.tmpdir(), `quire-xml-${process.pid}-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  const result = spawnSync(
    'xmllint',
    ['--noout', '--nonet', '--schema', path.join(STANDARDS, schema), file],
    {
      env: { ...process.env, XML_CATALOG_FILES: path.join(STANDARDS, 'catalog.xml') },
      encoding: 'utf8',
    },
  );
  return { valid: result.status === 0, output: `${result.stdout}${result.stderr}` };
}
