import { spawn } from 'node:child_process';
import { parseSaneOptions, type SaneOption } from './sane-options';
import { readScanimageFailure } from './sane-status';

/**
 * Debian's `scanimage` (sane-utils) as a child process: the one program the SANE driver runs.
 * Quire does not link libsane; a backend that crashes takes scanimage down, not the station.
 */
export interface ScanimageRuntime {
  /** The program to run; default QUIRE_SCANIMAGE or `scanimage` on the PATH. */
  command?: string;
  /** Environment for scanimage (e.g. SANE_CONFIG_DIR); default the station's own. */
  env?: NodeJS.ProcessEnv;
}

export function scanimageCommand(runtime: ScanimageRuntime = {}): string {
  return runtime.command ?? process.env.QUIRE_SCANIMAGE ?? 'scanimage';
}

/** scanimage is not installed (or not where it was said to be). */
export class ScanimageMissingError extends Error {
  override readonly name = 'ScanimageMissingError';
  constructor(readonly command: string) {
    super(`scanimage was not found (${command}): install Debian's sane-utils package to use SANE scanners`);
  }
}

export class ScanimageError extends Error {
  override readonly name = 'ScanimageError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export interface SaneDeviceEntry {
  /** The SANE device name, e.g. `test:0`, `fujitsu:fi-7160:1234`. */
  name: string;
  vendor: string;
  model: string;
  /** SANE's device type, e.g. `flatbed scanner`, `sheetfed scanner`, `virtual device`. */
  type: string;
}

/** Runs scanimage to completion; output is small (a list, an option table). */
export function runScanimage(
  args: string[],
  runtime: ScanimageRuntime = {},
  timeoutMs = 60_000,
): Promise<{ stdout: string; stderr: string }> {
  const command = scanimageCommand(runtime);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: runtime.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' || error.code === 'EACCES' ? new ScanimageMissingError(command) : error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const failure = readScanimageFailure(stderr.split('\n'));
      const why =
        failure?.line.replace(/^scanimage:\s*/, '') ?? (signal ? `stopped by ${signal}` : `exit ${code}`);
      reject(new ScanimageError(`scanimage ${args.join(' ')}: ${why}`, code, stderr));
    });
  });
}

const FIELD = '\u001f';

/** Every device SANE's backends find (`scanimage -L`, in a format that survives spaces). */
export async function listSaneDevices(
  runtime?: ScanimageRuntime,
  timeoutMs?: number,
): Promise<SaneDeviceEntry[]> {
  const format = ['%d', '%v', '%m', '%t'].join(FIELD) + '%n';
  const { stdout } = await runScanimage([`--formatted-device-list=${format}`], runtime, timeoutMs);
  return stdout
    .split('\n')
    .map((line) => line.split(FIELD))
    .filter((fields) => fields.length === 4 && fields[0]!.length > 0)
    .map(([name, vendor, model, type]) => ({ name: name!, vendor: vendor!, model: model!, type: type! }));
}

/** The device's backend options (`scanimage -d DEVICE -A`). */
export async function readSaneOptions(
  device: string,
  runtime?: ScanimageRuntime,
  timeoutMs?: number,
): Promise<Map<string, SaneOption>> {
  const { stdout } = await runScanimage(['-d', device, '-A'], runtime, timeoutMs);
  const options = parseSaneOptions(stdout);
  if (options.size === 0) throw new ScanimageError(`scanimage listed no options for ${device}`, 0, '');
  return options;
}

/** Whether a listed device is the one named: `test` is SANE's short form of `test:0`. */
export function sameSaneDevice(listed: string, name: string): boolean {
  return listed === name || listed === `${name}:0`;
}
