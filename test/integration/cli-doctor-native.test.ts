import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/temp-dir';
import { buildForeignAddon, foreignAddonUnavailable } from '../unit/storage/foreign-addon';

/**
 * The state the issue describes after electron-builder rebuilt node_modules in place: Node's
 * better-sqlite3 folder holds a binary of another ABI. A copy of the built CLI runs against a
 * node_modules whose better-sqlite3 is such a copy (every other package is the real one), and
 * must say which module, which runtime and which command fixes it, in one JSON line.
 */
const reason = foreignAddonUnavailable();

describe.skipIf(reason !== null)(
  `the CLI with a better-sqlite3 build of the wrong ABI${reason ? ` [skipped: ${reason}]` : ''}`,
  () => {
    let dir: ReturnType<typeof makeTempDir>;
    let cli: string;
    let foreign: string;

    beforeAll(() => {
      dir = makeTempDir('quire-wrong-abi-');
      const root = dir.path;
      mkdirSync(path.join(root, 'dist', 'electron'), { recursive: true });
      copyFileSync('dist/electron/cli.cjs', path.join(root, 'dist', 'electron', 'cli.cjs'));
      cli = path.join(root, 'dist', 'electron', 'cli.cjs');
      const modules = path.join(root, 'node_modules');
      mkdirSync(modules);
      for (const entry of readdirSync('node_modules')) {
        // No Electron package either: the CLI never needs it.
        if (entry === 'better-sqlite3' || entry === 'electron' || entry.startsWith('.')) continue;
        symlinkSync(path.resolve('node_modules', entry), path.join(modules, entry));
      }
      const sqlite = path.join(modules, 'better-sqlite3');
      cpSync('node_modules/better-sqlite3/lib', path.join(sqlite, 'lib'), { recursive: true });
      copyFileSync('node_modules/better-sqlite3/package.json', path.join(sqlite, 'package.json'));
      mkdirSync(path.join(sqlite, 'build', 'Release'), { recursive: true });
      foreign = path.join(sqlite, 'build', 'Release', 'better_sqlite3.node');
      copyFileSync(buildForeignAddon(root, 150), foreign);
    });
    afterAll(() => dir.cleanup());

    function run(...args: string[]) {
      const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
      const lines = result.stdout.trim().split('\n');
      const json = JSON.parse(lines.at(-1) ?? 'null') as {
        error?: Record<string, unknown>;
        problems?: string[];
        native?: { node: unknown[]; electron: unknown };
      };
      return { status: result.status, lines, json };
    }

    const expectedMessage = () =>
      `better-sqlite3 cannot load in Node ${process.versions.node} (NODE_MODULE_VERSION ${process.versions.modules}): ` +
      `node_modules/better-sqlite3/build/Release/better_sqlite3.node was built for NODE_MODULE_VERSION 150, ` +
      `this runtime requires NODE_MODULE_VERSION ${process.versions.modules}. Fix: npm rebuild better-sqlite3`;

    it('a command that opens the station prints one JSON line naming module, runtime and fix', () => {
      const data = path.join(dir.path, 'data');
      const { status, lines, json } = run('queue', 'list', '--data', data);
      expect(status).toBe(1);
      expect(lines).toHaveLength(1);
      expect(json.error).toEqual({
        code: 'NATIVE_MODULE',
        message: expectedMessage(),
        module: 'better-sqlite3',
        runtime: `Node ${process.versions.node} (NODE_MODULE_VERSION ${process.versions.modules})`,
        file: null,
        fix: 'npm rebuild better-sqlite3',
      });
    });

    it('quire doctor reports it as a problem', () => {
      const data = path.join(dir.path, 'data-doctor');
      const { status, json } = run('doctor', '--data', data);
      expect(status).toBe(1);
      expect(json.problems).toContain(expectedMessage());
      expect(json.native?.node).toEqual([
        expect.objectContaining({ ok: false, fix: 'npm rebuild better-sqlite3' }),
      ]);
      // No Electron package in this copy: nothing to build for, not a problem.
      expect(json.native?.electron).toEqual({ installed: false });
    });
  },
);
