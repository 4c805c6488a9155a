import os from 'node:os';
import type { Command } from 'commander';
import { silentLogger } from '../core/logger';
import type { Actor } from '../pipeline/batch-policy';
import { createStation, type Station, type StationOptions } from '../station';
import { DataFolderInUseError, resolveDataRoot } from '../storage/index';

/**
 * Conventions every `quire` subcommand follows, so scripts can rely on them:
 * - the result is ONE JSON line on stdout (the last line), errors included;
 * - exit 0 only on full success; non-zero with `{"error": {...}}` otherwise;
 * - progress goes to stderr, and only when stderr is a TTY.
 */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export interface CliErrorBody {
  code: string;
  message: string;
  [extra: string]: unknown;
}

export function failWith(exitCode: number, error: CliErrorBody, extra: Record<string, unknown> = {}): never {
  printJson({ ...extra, error });
  process.exit(exitCode);
}

/** A progress line on a TTY only (`\r`-rewritten), so piped output stays one clean JSON line. */
export function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`);
}

export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
}

/** Adds the shared `--data DIR` option (default: QUIRE_DATA_DIR, else the per-user folder). */
export function withDataOption(cmd: Command): Command {
  return cmd.option('--data <dir>', 'station data folder (default: $QUIRE_DATA_DIR or the per-user folder)');
}

export function cliDataRoot(opts: { data?: string }): string {
  return opts.data ?? resolveDataRoot();
}

/**
 * Opens the same station core the app runs, on a data folder, for one CLI command. Commands
 * that run workers or scanners (serve, batch run) are a station and take the folder's lock;
 * the others only read or change database rows, which SQLite serializes beside a running
 * station. A folder locked by another station ends the command with DATA_FOLDER_IN_USE.
 */
export async function openCliStation(
  opts: { data?: string },
  extra: Partial<StationOptions> = {},
): Promise<Station> {
  const exclusive = extra.exclusive ?? (Boolean(extra.runWorkers) || (extra.simulators ?? 0) > 0);
  try {
    // Only the commands that run a station (serve, worker, batch run) take the lab database.
    return await createStation({
      dataDir: cliDataRoot(opts),
      logger: silentLogger(),
      labDatabase: null,
      ...extra,
      exclusive,
    });
  } catch (error) {
    if (error instanceof DataFolderInUseError)
      failWith(3, { code: error.code, message: error.message, holder: error.holder });
    throw error;
  }
}

/**
 * The person a CLI command acts as. The CLI has no sign-in, so it acts as the OS account that
 * runs it, named `cli:<account>` in audit events (never mistaken for a station account of the
 * same name), with an operator's rights: a supervisor's decisions are taken in the console,
 * signed in.
 */
export function cliActor(): Actor {
  let account = '';
  try {
    account = os.userInfo().username;
  } catch {
    // No passwd entry (a container's bare uid): fall back to the environment, then the uid.
  }
  account ||= process.env.USER || process.env.USERNAME || `uid-${process.getuid?.() ?? 'unknown'}`;
  return { username: `cli:${account}`, role: 'operator' };
}
