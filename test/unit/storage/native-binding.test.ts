import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertBetterSqliteLoads,
  betterSqliteBinding,
  checkNativeModules,
  currentRuntimeFacts,
  describeLoadFailure,
  electronBuildPath,
  NativeModuleError,
  probeAddonAbi,
  type RuntimeFacts,
} from '../../../electron/storage/native-binding';
import { makeTempDir } from '../../helpers/temp-dir';
import { buildForeignAddon, foreignAddonUnavailable } from './foreign-addon';

const NODE_BUILD = path.resolve('node_modules/better-sqlite3/build/Release/better_sqlite3.node');

function facts(overrides: Partial<RuntimeFacts>): RuntimeFacts {
  return {
    electronVersion: undefined,
    defaultApp: false,
    resourcesPath: undefined,
    appRoot: '/opt/quire-src',
    nodeVersion: '20.20.2',
    moduleVersion: '115',
    ...overrides,
  };
}

describe('which better-sqlite3 build each runtime loads', () => {
  it('under Node: its own lookup (Node build in build/Release), fixed by npm rebuild', () => {
    const binding = betterSqliteBinding(facts({}));
    expect(binding).toEqual({
      module: 'better-sqlite3',
      runtime: 'Node 20.20.2 (NODE_MODULE_VERSION 115)',
      file: null,
      fix: 'npm rebuild better-sqlite3',
    });
  });

  it('in Electron from the repository: the Electron build beside Node’s, fixed by npm run native:electron', () => {
    const binding = betterSqliteBinding(
      facts({ electronVersion: '45.4.1', defaultApp: true, resourcesPath: '/x/electron/dist/resources' }),
    );
    expect(binding.file).toBe(
      path.join('/opt/quire-src', 'node_modules', '.quire-native', 'electron-45.4.1', 'better_sqlite3.node'),
    );
    expect(binding.file).toBe(electronBuildPath('/opt/quire-src', '45.4.1'));
    expect(binding.runtime).toMatch(/^Electron 45\.4\.1 \(development/);
    expect(binding.fix).toBe('npm run native:electron');
  });

  it('in the packaged app: the build unpacked from the asar, never node_modules', () => {
    const binding = betterSqliteBinding(
      facts({ electronVersion: '45.4.1', defaultApp: false, resourcesPath: '/opt/Quire/resources' }),
    );
    expect(binding.file).toBe(
      path.join('/opt/Quire/resources', 'app.asar.unpacked', 'dist', 'native', 'better_sqlite3.node'),
    );
    expect(binding.runtime).toBe('Electron 45.4.1 (packaged app)');
    expect(binding.fix).toMatch(/reinstall Quire/);
  });

  it('this test process is Node and its build loads', () => {
    const here = currentRuntimeFacts();
    expect(here.electronVersion).toBeUndefined();
    expect(checkNativeModules(here)).toEqual([
      expect.objectContaining({ module: 'better-sqlite3', ok: true, file: null }),
    ]);
  });
});

describe('a build that cannot load is named with its runtime and fix', () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    dir = makeTempDir('quire-native-');
  });
  afterEach(() => dir.cleanup());

  it('a missing Electron build says so and how to make it', () => {
    const statuses = checkNativeModules(
      facts({ electronVersion: '45.4.1', defaultApp: true, appRoot: dir.path }),
    );
    expect(statuses).toHaveLength(1);
    const [status] = statuses;
    expect(status).toMatchObject({ ok: false, fix: 'npm run native:electron' });
    expect(status!.ok === false && status!.message).toBe(
      `better-sqlite3 has no build for Electron 45.4.1 (development, NODE_MODULE_VERSION 115): ` +
        `${electronBuildPath(dir.path, '45.4.1')} is missing. Fix: npm run native:electron`,
    );
  });

  const unavailable = foreignAddonUnavailable();
  it.skipIf(unavailable !== null)(
    `a binary of another ABI (an Electron build where Node looks) gets the versions and the fix${unavailable ? ` [skipped: ${unavailable}]` : ''}`,
    () => {
      const foreign = buildForeignAddon(dir.path, 150);
      const binding = { ...betterSqliteBinding(currentRuntimeFacts()), file: foreign };
      let thrown: unknown;
      try {
        assertBetterSqliteLoads(binding);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(NativeModuleError);
      const error = thrown as NativeModuleError;
      expect(error.message).toBe(
        `better-sqlite3 cannot load in ${binding.runtime}: ${foreign} was built for NODE_MODULE_VERSION 150, ` +
          `this runtime requires NODE_MODULE_VERSION ${process.versions.modules}. Fix: npm rebuild better-sqlite3`,
      );
      expect(error.toJSON()).toMatchObject({
        code: 'NATIVE_MODULE',
        module: 'better-sqlite3',
        runtime: binding.runtime,
        file: foreign,
        fix: 'npm rebuild better-sqlite3',
      });
      // The loader's own words are kept as the cause for the log.
      expect((error.cause as Error).message).toMatch(/compiled against a different Node\.js version/);
    },
  );

  it.skipIf(unavailable !== null)('the Electron start-up check reports a wrong-ABI Electron build', () => {
    const appRoot = dir.path;
    const target = electronBuildPath(appRoot, '45.4.1');
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(buildForeignAddon(dir.path, 149), target);
    const [status] = checkNativeModules(
      facts({
        electronVersion: '45.4.1',
        defaultApp: true,
        appRoot,
        moduleVersion: process.versions.modules,
      }),
    );
    expect(status).toMatchObject({ ok: false, file: target, fix: 'npm run native:electron' });
    expect(status!.ok === false && status!.message).toMatch(
      /^better-sqlite3 cannot load in Electron 45\.4\.1 .* was built for NODE_MODULE_VERSION 149, this runtime requires NODE_MODULE_VERSION \d+\. Fix: npm run native:electron$/,
    );
  });

  it('a file that is no binary at all is reported with the loader’s first line', () => {
    const junk = path.join(dir.path, 'better_sqlite3.node');
    writeFileSync(junk, 'not an ELF file');
    const binding = { ...betterSqliteBinding(currentRuntimeFacts()), file: junk };
    const error = describeLoadFailure(binding, captureLoadError(junk));
    expect(error.message).toMatch(
      new RegExp(
        `^better-sqlite3 failed to load in Node .* from ${escape(junk)}: .+\\. Fix: npm rebuild better-sqlite3$`,
      ),
    );
  });

  it.skipIf(unavailable !== null)('probeAddonAbi tells an Electron build from a Node build', () => {
    expect(probeAddonAbi(buildForeignAddon(dir.path, 150))).toEqual({ kind: 'abi', moduleVersion: 150 });
    expect(probeAddonAbi(NODE_BUILD)).toEqual({ kind: 'loads' });
  });
});

describe('packaging agrees with the runtime choice', () => {
  const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as {
    asarUnpack: string[];
    files: string[];
    npmRebuild: boolean;
  };
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
    .scripts;

  it('never rebuilds node_modules in place, so Node keeps its build after npm run dist', () => {
    expect(config.npmRebuild).toBe(false);
  });

  it('stages the Electron build where the packaged app looks, unpacked from the asar', () => {
    expect(scripts.dist).toMatch(/native-electron\.mjs --require --stage dist\/native && electron-builder$/);
    expect(config.asarUnpack).toContain('dist/native/**');
    expect(config.files).toContain('dist/**');
  });

  it('ships no Node build of better-sqlite3', () => {
    expect(config.files).toContain('!**/node_modules/better-sqlite3/{build,deps,src}/**');
  });

  it('fetches the Electron build on npm install, and npm start requires it', () => {
    expect(scripts.postinstall).toBe('node scripts/native-electron.mjs');
    expect(scripts['native:electron']).toBe('node scripts/native-electron.mjs');
    expect(scripts.start).toMatch(/native-electron\.mjs --require && electron \.$/);
  });
});

function captureLoadError(file: string): unknown {
  try {
    process.dlopen({ exports: {} }, file);
  } catch (error) {
    return error;
  }
  throw new Error(`${file} loaded`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
