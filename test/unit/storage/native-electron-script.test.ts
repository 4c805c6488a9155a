import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { electronBuildPath } from '../../../electron/storage/native-binding';
import { makeTempDir } from '../../helpers/temp-dir';
import { buildForeignAddon, foreignAddonUnavailable } from './foreign-addon';

/**
 * scripts/native-electron.mjs, offline: prebuild-install is given the release tarball in a local
 * folder (--local-prebuilds), so nothing is downloaded. The script must install only a binary
 * for Electron's ABI, at the path the app loads from, and never touch Node's build.
 */
const SCRIPT = path.resolve('scripts/native-electron.mjs');
const NODE_BUILD = path.resolve('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const ELECTRON_DIR = path.resolve('node_modules/electron');

function unavailable(): string | null {
  if (!existsSync(path.join(ELECTRON_DIR, 'abi_version')))
    return 'node_modules/electron (with abi_version) is not installed';
  if (spawnSync('tar', ['--version']).status !== 0) return 'no `tar` on PATH';
  return foreignAddonUnavailable();
}
const reason = unavailable();

describe.skipIf(reason !== null)(
  `native:electron with a local prebuild${reason ? ` [skipped: ${reason}]` : ''}`,
  () => {
    const electronVersion = () =>
      (JSON.parse(readFileSync(path.join(ELECTRON_DIR, 'package.json'), 'utf8')) as { version: string })
        .version;
    const electronAbi = () => Number(readFileSync(path.join(ELECTRON_DIR, 'abi_version'), 'utf8').trim());
    const moduleVersion = () =>
      (JSON.parse(readFileSync('node_modules/better-sqlite3/package.json', 'utf8')) as { version: string })
        .version;

    let dir: ReturnType<typeof makeTempDir>;
    let prebuilds: string;
    let nativeRoot: string;
    beforeEach(() => {
      dir = makeTempDir('quire-native-script-');
      prebuilds = path.join(dir.path, 'prebuilds');
      nativeRoot = path.join(dir.path, 'native');
      mkdirSync(prebuilds);
    });
    afterEach(() => dir.cleanup());

    /** The tarball better-sqlite3 publishes for this Electron ABI, holding `binary`. */
    function publishPrebuild(binary: string): void {
      const staging = path.join(dir.path, 'tarball');
      mkdirSync(path.join(staging, 'build', 'Release'), { recursive: true });
      copyFileSync(binary, path.join(staging, 'build', 'Release', 'better_sqlite3.node'));
      const name = `better-sqlite3-v${moduleVersion()}-electron-v${electronAbi()}-${process.platform}-${process.arch}.tar.gz`;
      const tar = spawnSync('tar', ['-czf', path.join(prebuilds, name), '-C', staging, 'build']);
      expect(tar.status).toBe(0);
    }

    function runScript(...extra: string[]) {
      const args = [
        SCRIPT,
        '--native-root',
        nativeRoot,
        '--local-prebuilds',
        prebuilds,
        '--prebuilt-only',
        ...extra,
      ];
      return spawnSync(process.execPath, args, { encoding: 'utf8' });
    }

    it("installs an Electron-ABI build beside Node's, where the app looks, and stages it for packaging", () => {
      publishPrebuild(buildForeignAddon(dir.path, electronAbi()));
      const nodeBuildBefore = readFileSync(NODE_BUILD);
      const stage = path.join(dir.path, 'dist-native');
      const run = runScript('--require', '--stage', stage);
      expect(run.status, run.stderr).toBe(0);
      const installed = path.join(nativeRoot, `electron-${electronVersion()}`, 'better_sqlite3.node');
      // Same layout as electron/storage/native-binding.ts (its appRoot/node_modules/.quire-native).
      expect(electronBuildPath('/root', electronVersion())).toBe(
        path.join(
          '/root',
          'node_modules',
          '.quire-native',
          `electron-${electronVersion()}`,
          'better_sqlite3.node',
        ),
      );
      expect(existsSync(installed)).toBe(true);
      expect(existsSync(path.join(stage, 'better_sqlite3.node'))).toBe(true);
      expect(
        JSON.parse(readFileSync(path.join(path.dirname(installed), 'build.json'), 'utf8')),
      ).toMatchObject({
        module: 'better-sqlite3',
        moduleVersion: moduleVersion(),
        electron: electronVersion(),
        moduleAbi: electronAbi(),
        source: 'prebuilt',
      });
      expect(readFileSync(NODE_BUILD).equals(nodeBuildBefore)).toBe(true);

      const again = runScript();
      expect(again.status).toBe(0);
      expect(again.stderr).toMatch(/is already at/);
    });

    it('refuses a Node build passed off as Electron’s: offline-style exit 0, or 1 with --require', () => {
      publishPrebuild(NODE_BUILD);
      const lenient = runScript();
      expect(lenient.status).toBe(0);
      expect(lenient.stderr).toMatch(/it is a Node build, not Electron's/);
      expect(lenient.stderr).toMatch(/`npm start` and `npm run dist` do/);
      expect(existsSync(nativeRoot)).toBe(false);

      const strict = runScript('--require');
      expect(strict.status).toBe(1);
    });

    it('refuses a build for another Electron ABI', () => {
      publishPrebuild(buildForeignAddon(dir.path, electronAbi() - 1));
      const run = runScript('--require');
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        `is for NODE_MODULE_VERSION ${electronAbi() - 1}, Electron ${electronVersion()} requires ${electronAbi()}`,
      );
      expect(existsSync(nativeRoot)).toBe(false);
    });
  },
);
