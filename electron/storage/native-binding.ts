import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Which compiled copy of each native module this process loads.
 *
 * better-sqlite3 is written against Node's V8 API, so its binary fits exactly one
 * NODE_MODULE_VERSION: Node's build (tests, the CLI) and Electron's build (the app) must live
 * side by side. Node's stays where `npm install` puts it (node_modules/better-sqlite3/build);
 * scripts/native-electron.mjs fetches or builds Electron's into its own folder, and `npm run
 * dist` stages it into the app, unpacked from the asar. sharp needs none of this: it is built on
 * Node-API, whose ABI is the same in Node and every Electron, so one binary serves both.
 *
 * Plain Node on purpose (no `electron` import): the app, the CLI and the tests all call it.
 */

export const NATIVE_MODULE = 'better-sqlite3';
export const BINARY_NAME = 'better_sqlite3.node';
/** Electron builds made by scripts/native-electron.mjs: <appRoot>/<this>/electron-<version>/. */
export const ELECTRON_BUILDS_DIR = path.join('node_modules', '.quire-native');
/** Where `npm run dist` stages the Electron build (electron-builder.yml unpacks dist/native). */
export const PACKAGED_BINARY = path.join('app.asar.unpacked', 'dist', 'native', BINARY_NAME);

export const FIX_NODE = 'npm rebuild better-sqlite3';
export const FIX_ELECTRON = 'npm run native:electron';
export const FIX_PACKAGED =
  'reinstall Quire (this package lacks its database module; rebuild it with npm run dist)';

export interface RuntimeFacts {
  /** process.versions.electron; undefined under plain Node. */
  electronVersion: string | undefined;
  /** Electron sets process.defaultApp when started as `electron <path>` (development), never when packaged. */
  defaultApp: boolean;
  /** Electron's process.resourcesPath (the folder holding app.asar). */
  resourcesPath: string | undefined;
  /** The folder with package.json and node_modules. */
  appRoot: string;
  nodeVersion: string;
  /** process.versions.modules: the NODE_MODULE_VERSION this runtime requires. */
  moduleVersion: string;
}

/** The one compiled file this runtime should load, and how to fix it when it cannot. */
export interface NativeBinding {
  module: string;
  /** Human-readable, e.g. "Electron 45.4.1 (development)". */
  runtime: string;
  /** Null: better-sqlite3's own lookup, which finds Node's build in its build/Release. */
  file: string | null;
  fix: string;
}

export function currentRuntimeFacts(): RuntimeFacts {
  const electronProcess = process as unknown as { defaultApp?: boolean; resourcesPath?: string };
  return {
    electronVersion: process.versions.electron,
    defaultApp: electronProcess.defaultApp === true,
    resourcesPath: electronProcess.resourcesPath,
    appRoot: bundleAppRoot(),
    nodeVersion: process.versions.node,
    moduleVersion: process.versions.modules,
  };
}

/**
 * The app, the CLI and this module are bundled into dist/electron/*.cjs (scripts/build.mjs),
 * so the project root is two folders up. Unbundled (under vitest) there is no __dirname: the
 * tests run from the project root.
 */
function bundleAppRoot(): string {
  return typeof __dirname === 'string' ? path.resolve(__dirname, '..', '..') : process.cwd();
}

export function electronBuildPath(appRoot: string, electronVersion: string): string {
  return path.join(appRoot, ELECTRON_BUILDS_DIR, `electron-${electronVersion}`, BINARY_NAME);
}

export function betterSqliteBinding(facts: RuntimeFacts = currentRuntimeFacts()): NativeBinding {
  const { electronVersion } = facts;
  if (!electronVersion) {
    return {
      module: NATIVE_MODULE,
      runtime: `Node ${facts.nodeVersion} (NODE_MODULE_VERSION ${facts.moduleVersion})`,
      file: null,
      fix: FIX_NODE,
    };
  }
  if (!facts.defaultApp && facts.resourcesPath) {
    return {
      module: NATIVE_MODULE,
      runtime: `Electron ${electronVersion} (packaged app)`,
      file: path.join(facts.resourcesPath, PACKAGED_BINARY),
      fix: FIX_PACKAGED,
    };
  }
  return {
    module: NATIVE_MODULE,
    runtime: `Electron ${electronVersion} (development, NODE_MODULE_VERSION ${facts.moduleVersion})`,
    file: electronBuildPath(facts.appRoot, electronVersion),
    fix: FIX_ELECTRON,
  };
}

/** A native module that cannot load in this runtime, said so that an operator can act on it. */
export class NativeModuleError extends Error {
  readonly code = 'NATIVE_MODULE';
  constructor(
    readonly binding: NativeBinding,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NativeModuleError';
  }

  toJSON(): {
    code: string;
    message: string;
    module: string;
    runtime: string;
    file: string | null;
    fix: string;
  } {
    const { module, runtime, file, fix } = this.binding;
    return { code: this.code, message: this.message, module, runtime, file, fix };
  }
}

const ABI_MISMATCH =
  /NODE_MODULE_VERSION (\d+)\. This version of (?:Node\.js|Electron) requires\s+NODE_MODULE_VERSION (\d+)/;

/** Turns the loader's error (ABI mismatch, missing file, anything else) into a NativeModuleError. */
export function describeLoadFailure(binding: NativeBinding, error: unknown): NativeModuleError {
  const raw = error instanceof Error ? error.message : String(error);
  const where = binding.file ?? `node_modules/${binding.module}/build/Release/${BINARY_NAME}`;
  const fix = `Fix: ${binding.fix}`;
  const mismatch = ABI_MISMATCH.exec(raw.replace(/\s+/g, ' '));
  let message: string;
  if (mismatch) {
    message =
      `${binding.module} cannot load in ${binding.runtime}: ${where} was built for ` +
      `NODE_MODULE_VERSION ${mismatch[1]}, this runtime requires NODE_MODULE_VERSION ${mismatch[2]}. ${fix}`;
  } else if (isMissingBinary(binding, error, raw)) {
    message = `${binding.module} has no build for ${binding.runtime}: ${where} is missing. ${fix}`;
  } else {
    const firstLine = raw.split('\n')[0] ?? raw;
    message = `${binding.module} failed to load in ${binding.runtime} from ${where}: ${firstLine}. ${fix}`;
  }
  return new NativeModuleError(binding, message, { cause: error });
}

function isMissingBinary(binding: NativeBinding, error: unknown, raw: string): boolean {
  if (binding.file !== null && !existsSync(binding.file)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || /Could not locate the bindings file/.test(raw);
}

/** better-sqlite3's constructor options that select this runtime's build. */
export function nativeBindingOption(binding: NativeBinding): { nativeBinding?: string } {
  return binding.file === null ? {} : { nativeBinding: binding.file };
}

/** Loads the module for real (an in-memory database); throws a NativeModuleError if it cannot. */
export function assertBetterSqliteLoads(binding: NativeBinding): void {
  if (binding.file !== null && !existsSync(binding.file)) throw describeLoadFailure(binding, null);
  try {
    new Database(':memory:', nativeBindingOption(binding)).close();
  } catch (error) {
    throw describeLoadFailure(binding, error);
  }
}

export type NativeModuleStatus =
  | { module: string; runtime: string; file: string | null; ok: true }
  | { module: string; runtime: string; file: string | null; ok: false; message: string; fix: string };

/** Every native module, loaded in this runtime: the app's start-up check and `quire doctor`'s. */
export function checkNativeModules(facts: RuntimeFacts = currentRuntimeFacts()): NativeModuleStatus[] {
  const binding = betterSqliteBinding(facts);
  const { module, runtime, file } = binding;
  try {
    assertBetterSqliteLoads(binding);
    return [{ module, runtime, file, ok: true }];
  } catch (error) {
    const failure = error as NativeModuleError;
    return [{ module, runtime, file, ok: false, message: failure.message, fix: binding.fix }];
  }
}

/**
 * The NODE_MODULE_VERSION a compiled addon was built for, learned by loading it in this Node:
 * a foreign build is refused with its number in the message (and unloaded). `loads` means it is
 * this runtime's own build; `unknown` means the loader refused it for another reason.
 */
export function probeAddonAbi(
  file: string,
): { kind: 'abi'; moduleVersion: number } | { kind: 'loads' } | { kind: 'unknown'; message: string } {
  try {
    process.dlopen({ exports: {} }, file);
    return { kind: 'loads' };
  } catch (error) {
    const raw = (error as Error).message;
    const found = /NODE_MODULE_VERSION (\d+)\./.exec(raw.replace(/\s+/g, ' '));
    if (found) return { kind: 'abi', moduleVersion: Number(found[1]) };
    return { kind: 'unknown', message: raw.split('\n')[0] ?? raw };
  }
}
