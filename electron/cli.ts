import path from 'node:path';
import { Command } from 'commander';
import { registerAuditCommands, registerBagCommands } from './cli/audit-commands';
import { registerBatchCommands } from './cli/batch-commands';
import { registerCatalogCommands } from './cli/catalog-commands';
import { registerDiscoverCommand } from './cli/discover-command';
import { registerDoctorCommand } from './cli/doctor-command';
import { registerLabCommands } from './cli/lab-commands';
import { registerLabDatabaseCommands } from './cli/lab-database-commands';
import { registerOcrCommand } from './cli/ocr-command';
import { registerQueueCommands } from './cli/queue-commands';
import { registerScannerCommands } from './cli/scanner-commands';
import { registerServeCommand } from './cli/serve-command';
import { registerTransferCommand } from './cli/transfer-command';
import { registerVerifyCommand } from './cli/verify-command';
import { NativeModuleError } from './storage/native-binding';
import { QUIRE_VERSION } from './version';

/**
 * `quire`: the headless station for lab IT and scripts. It builds the same core as the app
 * (electron/station.ts); each area registers its own subcommands.
 */
export function buildProgram(): Command {
  const program = new Command('quire')
    .description('Quire scanning-station console: scanners, batch queue, preservation packages')
    .version(QUIRE_VERSION, '-v, --version')
    .showHelpAfterError();
  registerServeCommand(program, path.join(__dirname, '..', 'renderer'));
  registerScannerCommands(program);
  registerDiscoverCommand(program);
  registerQueueCommands(program);
  registerAuditCommands(program);
  registerBagCommands(program);
  registerBatchCommands(program);
  registerCatalogCommands(program);
  registerVerifyCommand(program);
  registerDoctorCommand(program);
  registerTransferCommand(program);
  registerOcrCommand(program);
  registerLabCommands(program);
  // Last: it adds to the `lab` and `audit` groups registered above.
  registerLabDatabaseCommands(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    // A native module built for another runtime names itself, the runtime and the fix.
    const body =
      error instanceof NativeModuleError
        ? error.toJSON()
        : { code: 'INTERNAL', message: (error as Error).message };
    process.stdout.write(JSON.stringify({ error: body }) + '\n');
    process.exit(1);
  }
}

if (require.main === module) void runCli(process.argv);
