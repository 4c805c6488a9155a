import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { verifyBag } from '../pipeline/packaging/bag-verify';
import { fixityCheck } from '../pipeline/packaging/fixity';
import { failWith, openCliStation, printJson, withDataOption } from './common';

export function registerPackageCommands(program: Command): void {
  program
    .command('bag')
    .description('BagIt packages')
    .command('verify')
    .description('validate a BagIt bag; exit 0 only when it is valid')
    .argument('<dir>', 'the bag folder')
    .action(async (dir: string) => {
      if (!existsSync(dir)) failWith(2, { code: 'NOT_FOUND', message: `no folder at ${dir}` });
      const verdict = await verifyBag(path.resolve(dir));
      printJson(verdict);
      process.exit(verdict.valid ? 0 : 1);
    });

  withDataOption(program.command('fixity'))
    .description('re-hash a package and record a PREMIS fixity-check event; names every changed file')
    .argument('<dir>', 'the package (bag) folder')
    .action(async (dir: string, opts: { data?: string }) => {
      if (!existsSync(dir)) failWith(2, { code: 'NOT_FOUND', message: `no folder at ${dir}` });
      const result = await fixityCheck(path.resolve(dir));
      const station = await openCliStation(opts);
      const event = station.audit.record({
        type: 'fixity check',
        outcome: result.valid ? 'success' : 'failure',
        detail: result.valid ? 'every file matches its manifest' : result.errors.join('; ').slice(0, 4000),
        object: path.basename(path.resolve(dir)),
        person: process.env.USER ?? 'system',
      });
      await station.close();
      printJson({ ...result, auditEvent: event.id });
      process.exit(result.valid ? 0 : 1);
    });
}
