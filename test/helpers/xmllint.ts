import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The official schemas beside the repository (../shared/standards), validated offline. */
export const STANDARDS = path.resolve('..', 'shared', 'standards');

export function xmllintUnavailableReason(env: NodeJS.ProcessEnv = process.env): string | null {
  if (spawnSync('xmllint', ['--version'], { env }).error)
    return 'xmllint is not installed (apt-get install -y libxml2-utils)';
  if (!existsSync(path.join(STANDARDS, 'catalog.xml'))) return `no standards folder at ${STANDARDS}`;
  return null;
}

/** Why schema checks cannot run here, or null; looked up once per test file. */
export const XMLLINT_UNAVAILABLE = xmllintUnavailableReason();

let reported = false;
function report(reason: string): void {
  if (reported) return;
  reported = true;
  process.stdout.write(`SKIPPED XML schema validation: ${reason}\n`);
}

/**
 * For `it.skipIf(withoutXmllint())`: a test whose point is a schema check is reported as
 * skipped, with the reason printed, instead of passing without having checked anything.
 */
export function withoutXmllint(): boolean {
  if (XMLLINT_UNAVAILABLE) report(XMLLINT_UNAVAILABLE);
  return XMLLINT_UNAVAILABLE !== null;
}

/**
 * For a test that checks other things first: call it (with the test context's `skip`) just
 * before its schema checks; without xmllint the test ends there as skipped, reason printed.
 */
export function requireXmllint(skip: (note?: string) => never): void {
  if (!XMLLINT_UNAVAILABLE) return;
  report(XMLLINT_UNAVAILABLE);
  skip(XMLLINT_UNAVAILABLE);
}

/**
 * Validates XML text against a schema under ../shared/standards; returns xmllint's verdict.
 * Throws when xmllint cannot run, so a missing tool can never read as a verdict.
 */
export function validateXml(
  xml: string,
  schema: string,
  env: NodeJS.ProcessEnv = process.env,
): { valid: boolean; output: string } {
  const file = path.join(os.tmpdir(), `quire-xml-${process.pid}-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  const result = spawnSync(
    'xmllint',
    ['--noout', '--nonet', '--schema', path.join(STANDARDS, schema), file],
    {
      env: { ...env, XML_CATALOG_FILES: path.join(STANDARDS, 'catalog.xml') },
      encoding: 'utf8',
    },
  );
  if (result.error) throw new Error(`xmllint could not run: ${result.error.message}`);
  return { valid: result.status === 0, output: `${result.stdout}${result.stderr}` };
}
