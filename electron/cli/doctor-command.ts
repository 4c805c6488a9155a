import { accessSync, constants, existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  checkNativeModules,
  currentRuntimeFacts,
  electronBuildPath,
  FIX_ELECTRON,
  NATIVE_MODULE,
  type NativeModuleStatus,
  probeAddonAbi,
} from '../storage/native-binding';
import { cliDataRoot, failWith, printJson, withDataOption } from './common';

/**
 * `quire doctor`: what lab IT checks before calling anyone. Native modules (this Node's build,
 * and the Electron build the app needs), the data folder, free disk space and the Debian tools
 * Quire can use. One JSON line; non-zero exit only for a real problem, never for a missing
 * optional tool.
 */

/** Below this the next batch may not fit: one 600 dpi colour master page is about 100 MB. */
export const MIN_FREE_BYTES = 1024 ** 3;
/** Below this a full day of scanning may not fit: reported, not a failure. */
export const LOW_FREE_BYTES = 10 * 1024 ** 3;

export const OPTIONAL_TOOLS = [
  { name: 'scanimage', debianPackage: 'sane-utils', use: 'SANE scanners' },
  { name: 'tesseract', debianPackage: 'tesseract-ocr', use: 'OCR' },
  { name: 'ssh', debianPackage: 'openssh-client', use: 'remote delivery of packages' },
  { name: 'sftp', debianPackage: 'openssh-client', use: 'remote delivery of packages' },
  {
    name: 'xmllint',
    debianPackage: 'libxml2-utils',
    use: 'validating METS, PREMIS and MODS against the XSDs',
  },
  { name: 'vips', debianPackage: 'libvips-tools', use: 'libvips on the command line (benchmarks)' },
] as const;

interface Findings {
  problems: string[];
  warnings: string[];
}

export function registerDoctorCommand(program: Command): void {
  withDataOption(program.command('doctor'))
    .description('check native modules, the data folder, free disk space and optional tools')
    .action((opts: { data?: string }) => {
      const findings: Findings = { problems: [], warnings: [] };
      const facts = currentRuntimeFacts();
      const report = {
        native: {
          node: nativeForThisRuntime(findings),
          electron: electronBuild(facts.appRoot, findings),
        },
        dataDir: dataFolder(cliDataRoot(opts), findings),
        disk: freeSpace(cliDataRoot(opts), findings),
        tools: toolsOnPath(process.env.PATH ?? ''),
      };
      const result = { ok: findings.problems.length === 0, ...findings, ...report };
      if (!result.ok) {
        const count = findings.problems.length;
        failWith(
          1,
          { code: 'DOCTOR_PROBLEMS', message: `${count} problem(s): ${findings.problems.join('; ')}` },
          result,
        );
      }
      printJson(result);
      process.exit(0);
    });
}

function nativeForThisRuntime(findings: Findings): NativeModuleStatus[] {
  const statuses = checkNativeModules();
  for (const status of statuses) if (!status.ok) findings.problems.push(status.message);
  return statuses;
}

/**
 * The Electron build of better-sqlite3 for the Electron version in node_modules. Missing is a
 * problem only when the Electron binary is installed (the app could be started and would
 * fail); after an offline install neither is there and it is only reported.
 */
function electronBuild(appRoot: string, findings: Findings): Record<string, unknown> {
  const electronDir = path.join(appRoot, 'node_modules', 'electron');
  const manifest = path.join(electronDir, 'package.json');
  if (!existsSync(manifest)) return { installed: false };
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const abiFile = path.join(electronDir, 'abi_version');
  const requires = existsSync(abiFile) ? Number(readFileSync(abiFile, 'utf8').trim()) : null;
  const binaryInstalled = existsSync(path.join(electronDir, 'path.txt'));
  const file = electronBuildPath(appRoot, version);
  const base = {
    installed: true,
    version,
    moduleVersion: requires,
    binaryInstalled,
    module: NATIVE_MODULE,
    file,
  };
  const report = (problem: boolean, message: string) =>
    (problem ? findings.problems : findings.warnings).push(message);

  if (!existsSync(file)) {
    const message = `${NATIVE_MODULE} has no build for Electron ${version} (${file} is missing), so \`npm start\` cannot open the station. Fix: ${FIX_ELECTRON}`;
    report(
      binaryInstalled,
      binaryInstalled ? message : `${message} (the Electron binary is not installed either)`,
    );
    return { ...base, built: false };
  }
  const probe = probeAddonAbi(file);
  if (probe.kind === 'loads') {
    report(
      true,
      `${file} is a build for this Node, not for Electron ${version}. Fix: ${FIX_ELECTRON} -- --force`,
    );
  } else if (probe.kind === 'abi' && requires !== null && probe.moduleVersion !== requires) {
    report(
      true,
      `${file} was built for NODE_MODULE_VERSION ${probe.moduleVersion}, Electron ${version} requires ${requires}. Fix: ${FIX_ELECTRON} -- --force`,
    );
  } else if (probe.kind === 'unknown') {
    report(false, `could not verify the ABI of ${file}: ${probe.message}`);
  }
  return { ...base, built: true, builtFor: probe.kind === 'abi' ? probe.moduleVersion : null };
}

function dataFolder(root: string, findings: Findings): Record<string, unknown> {
  const stat = statSync(root, { throwIfNoEntry: false });
  if (!stat) {
    const parent = nearestExisting(root);
    const parentWritable = isWritable(parent);
    if (parentWritable) {
      findings.warnings.push(`data folder ${root} does not exist yet; the station creates it at first start`);
    } else {
      findings.problems.push(`data folder ${root} does not exist and ${parent} is not writable`);
    }
    return { path: root, exists: false, writable: parentWritable, ownerOnly: null };
  }
  if (!stat.isDirectory()) {
    findings.problems.push(`data folder ${root} is not a folder`);
    return { path: root, exists: true, folder: false, writable: false, ownerOnly: null };
  }
  const writable = isWritable(root);
  if (!writable) findings.problems.push(`data folder ${root} is not writable by this user`);
  // Windows has no POSIX mode bits; its ACLs are the installer's business.
  const ownerOnly = process.platform === 'win32' ? null : (stat.mode & 0o077) === 0;
  if (ownerOnly === false) {
    const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
    findings.warnings.push(
      `data folder ${root} is open to other users (mode ${mode}); fix: chmod 700 ${root}`,
    );
  }
  return { path: root, exists: true, folder: true, writable, ownerOnly };
}

function freeSpace(root: string, findings: Findings): Record<string, unknown> {
  const on = nearestExisting(root);
  const stats = statfsSync(on);
  const freeBytes = stats.bavail * stats.bsize;
  const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (freeBytes < MIN_FREE_BYTES) {
    findings.problems.push(
      `only ${gib(freeBytes)} free on ${on}; a batch needs at least ${gib(MIN_FREE_BYTES)}`,
    );
  } else if (freeBytes < LOW_FREE_BYTES) {
    findings.warnings.push(`only ${gib(freeBytes)} free on ${on}`);
  }
  return { path: on, freeBytes, totalBytes: stats.blocks * stats.bsize };
}

/** Each optional tool's path on PATH, or null: reported, never a failure. */
export function toolsOnPath(searchPath: string): Record<string, Record<string, string | null>> {
  const dirs = searchPath.split(path.delimiter).filter((dir) => dir !== '');
  const suffixes = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  const tools: Record<string, Record<string, string | null>> = {};
  for (const tool of OPTIONAL_TOOLS) {
    const found = dirs
      .flatMap((dir) => suffixes.map((suffix) => path.join(dir, tool.name + suffix)))
      .find((candidate) => isExecutableFile(candidate));
    tools[tool.name] = { path: found ?? null, debianPackage: tool.debianPackage, use: tool.use };
  }
  return tools;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isWritable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function nearestExisting(target: string): string {
  let dir = path.resolve(target);
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
