import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { AuditFilter } from '../../shared/contract/index';
import { verifyBag } from '../pipeline/packaging/bag-verify';
import { checkFixity } from '../pipeline/packaging/fixity';
import { FileExistsError } from '../storage/index';
import { cliDataRoot, failWith, openCliStation, printJson, withDataOption } from './common';
import { labDatabaseUrl, verifyLabAudit } from './lab-database-commands';

interface FilterOptions {
  type?: string;
  object?: string;
  agent?: string;
  person?: string;
  outcome?: string;
  from?: string;
  to?: string;
  text?: string;
}

const withFilterOptions = (cmd: Command) =>
  cmd
    .option('--type <type>', 'PREMIS event type, e.g. "fixity check"')
    .option('--object <id>', 'a batch id (with its files) or one file')
    .option('--agent <name>', 'any linked agent: software, station or person')
    .option('--person <username>', 'the person linked to the event')
    .option('--outcome <outcome>', 'e.g. success, failure, quarantined')
    .option('--from <date>', 'ISO date or date-time, inclusive')
    .option('--to <date>', 'ISO date or date-time, inclusive')
    .option('--text <text>', 'text in the detail or outcome');

function parseFilter(opts: FilterOptions): AuditFilter {
  const { type, object, agent, person, outcome, from, to, text } = opts;
  const parsed = AuditFilter.safeParse(
    Object.fromEntries(
      Object.entries({ type, object, agent, person, outcome, from, to, text }).filter(
        ([, v]) => v !== undefined,
      ),
    ),
  );
  if (!parsed.success)
    failWith(2, {
      code: 'INVALID_INPUT',
      message: parsed.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`).join('; '),
    });
  return parsed.data;
}

/** `quire audit …`: the station's hash-chained PREMIS audit log. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description("the station's hash-chained PREMIS audit log");

  withDataOption(audit.command('verify'))
    .description(
      "recompute the hash chain; exit 1 if any event was edited or deleted; with --lab-db, the whole lab's",
    )
    .option(
      '--lab-db <url>',
      "the lab's PostgreSQL (default: $QUIRE_LAB_DATABASE): verify every station's log in it",
    )
    .action(async (opts: { data?: string; labDb?: string }) => {
      const lab = labDatabaseUrl(opts);
      if (lab) return verifyLabAudit(lab);
      const station = await openCliStation(opts);
      const result = station.audit.verify();
      await station.close();
      if (!result.ok) failWith(1, { code: 'CHAIN_BROKEN', message: result.reason ?? 'broken' }, result);
      printJson(result);
      process.exit(0);
    });

  withFilterOptions(withDataOption(audit.command('export')))
    .description('write the events (all, or filtered) as PREMIS 3 XML to a new file')
    .requiredOption('--out <file>', 'the XML file to write (never overwrites)')
    .action(async (opts: FilterOptions & { data?: string; out: string }) => {
      const filter = parseFilter(opts);
      const out = path.resolve(opts.out);
      const station = await openCliStation(opts);
      try {
        printJson(await station.audit.exportPremisXml(filter, out));
        await station.close();
        process.exit(0);
      } catch (error) {
        await station.close();
        if (error instanceof FileExistsError)
          failWith(1, { code: 'FILE_EXISTS', message: `${out} exists; choose a new file name` });
        failWith(1, { code: 'WRITE_FAILED', message: (error as Error).message });
      }
    });

  withFilterOptions(withDataOption(audit.command('list')))
    .description('print events, newest first, as one JSON line')
    .option('--limit <n>', 'at most this many (1–500)', '100')
    .option('--offset <n>', 'skip this many', '0')
    .action(async (opts: FilterOptions & { data?: string; limit: string; offset: string }) => {
      const filter = parseFilter(opts);
      const limit = Math.min(500, Math.max(1, Number.parseInt(opts.limit, 10) || 100));
      const offset = Math.max(0, Number.parseInt(opts.offset, 10) || 0);
      const station = await openCliStation(opts);
      const page = station.audit.list({ ...filter, limit, offset });
      await station.close();
      printJson(page);
      process.exit(0);
    });
}

/**
 * `quire bag verify DIR` and `quire fixity DIR`. Kept apart from registerAuditCommands only while
 * electron/cli/package-commands.ts still registers the same names (commander refuses duplicates).
 */
export function registerBagCommands(program: Command): void {
  program
    .command('bag')
    .description('BagIt packages')
    .command('verify')
    .description('validate a BagIt bag (RFC 8493); exit 0 only when it is valid')
    .argument('<dir>', 'the bag folder')
    .action(async (dir: string) => {
      if (!isDirectory(dir)) failWith(2, { code: 'NOT_FOUND', message: `no folder at ${dir}` });
      const verdict = await verifyBag(path.resolve(dir));
      printJson(verdict);
      process.exit(verdict.valid ? 0 : 1);
    });

  withDataOption(program.command('fixity'))
    .description('re-hash a package against its manifests, naming every changed, missing or extra file')
    .argument('<dir>', 'the package (bag) folder')
    .action(async (dir: string, opts: { data?: string }) => {
      if (!isDirectory(dir)) failWith(2, { code: 'NOT_FOUND', message: `no folder at ${dir}` });
      // Record the event only in a station's own data folder: named with --data, or an existing one.
      const root = cliDataRoot(opts);
      const station =
        opts.data || existsSync(path.join(root, 'quire.db')) ? await openCliStation(opts) : null;
      try {
        const report = await checkFixity(path.resolve(dir), {
          person: cliUser(),
          ...(station ? { record: (e) => station.audit.record(e) } : {}),
        });
        const { valid, errors, warnings, changed, missing, extra, checked, object, checkedAt, eventId } =
          report;
        printJson({
          valid,
          changed,
          missing,
          extra,
          checked,
          object,
          checkedAt,
          auditEvent: eventId,
          errors,
          warnings,
        });
        await station?.close();
        process.exit(valid ? 0 : 1);
      } catch (error) {
        await station?.close();
        failWith(1, { code: 'FIXITY_FAILED', message: (error as Error).message });
      }
    });
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The CLI has no signed-in person: the OS account running it is the closest truth. */
function cliUser(): string {
  try {
    return os.userInfo().username || 'system';
  } catch {
    return 'system';
  }
}
