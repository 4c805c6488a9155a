// `npm run native:electron` (also run by `npm install` as postinstall): puts a build of
// better-sqlite3 for the installed Electron BESIDE Node's, never over it.
//
// better-sqlite3 uses Node's V8 API, so one binary fits one NODE_MODULE_VERSION: Node 20 (tests,
// the CLI) and Electron (the app) each need their own. Node's stays in
// node_modules/better-sqlite3/build/Release; Electron's goes to
// node_modules/.quire-native/electron-<version>/better_sqlite3.node, where
// electron/storage/native-binding.ts looks for it when the app runs in Electron. sharp is built on
// Node-API (one ABI everywhere) and needs nothing here.
//
// Tries the project's prebuilt binary first (prebuild-install, in a scratch copy so nothing in
// node_modules/better-sqlite3 is touched), then a compile from source against Electron's
// headers (node-gyp, also in a scratch copy). Both need the network; offline, it says so and
// exits 0, so an offline `npm install` works as before. `--require` makes that an error (used
// by `npm start` and `npm run dist`).
//
// Options: --require, --force (fetch again), --stage DIR (copy the build to DIR, for
// packaging), --native-root DIR (instead of node_modules/.quire-native), --local-prebuilds DIR
// (prebuild tarballs already on disk), --prebuilt-only (never compile).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const MODULE = 'better-sqlite3';
const BINARY = 'better_sqlite3.node';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values: opts } = parseArgs({
  options: {
    require: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    stage: { type: 'string' },
    'native-root': { type: 'string' },
    'local-prebuilds': { type: 'string' },
    'prebuilt-only': { type: 'boolean', default: false },
  },
});

const say = (line) => process.stderr.write(`native:electron: ${line}\n`);
const resolveFromRoot = (request) => {
  try {
    return createRequire(path.join(ROOT, 'package.json')).resolve(request);
  } catch {
    return null;
  }
};
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

function giveUp(reason) {
  say(reason);
  say(
    `tests, the CLI and \`npm run start:browser\` do not need it; \`npm start\` and \`npm run dist\` do. ` +
      `Run \`npm run native:electron\` where npm can reach github.com (prebuilt) or electronjs.org (headers to compile).`,
  );
  process.exit(opts.require ? 1 : 0);
}

const electronDir = path.join(ROOT, 'node_modules', 'electron');
if (!existsSync(path.join(electronDir, 'package.json')))
  giveUp('Electron is not installed (a production install): nothing to build for');
const electronVersion = readJson(path.join(electronDir, 'package.json')).version;
const abiFile = path.join(electronDir, 'abi_version');
const electronAbi = existsSync(abiFile) ? Number(readFileSync(abiFile, 'utf8').trim()) : null;
const moduleDir = path.join(ROOT, 'node_modules', MODULE);
const moduleVersion = readJson(path.join(moduleDir, 'package.json')).version;

const nativeRoot = path.resolve(opts['native-root'] ?? path.join(ROOT, 'node_modules', '.quire-native'));
const targetDir = path.join(nativeRoot, `electron-${electronVersion}`);
const target = path.join(targetDir, BINARY);
const infoFile = path.join(targetDir, 'build.json');
const wanted = {
  module: MODULE,
  moduleVersion,
  electron: electronVersion,
  platform: process.platform,
  arch: process.arch,
};

if (!opts.force && existsSync(target) && existsSync(infoFile) && sameBuild(readJson(infoFile), wanted)) {
  say(`${MODULE} ${moduleVersion} for Electron ${electronVersion} is already at ${target}`);
} else {
  build();
}
if (opts.stage) {
  const stageDir = path.resolve(opts.stage);
  mkdirSync(stageDir, { recursive: true });
  copyFileSync(target, path.join(stageDir, BINARY));
  say(`staged ${target} into ${stageDir} for packaging`);
}

function sameBuild(a, b) {
  return Object.keys(b).every((key) => a[key] === b[key]);
}

function build() {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'quire-native-'));
  const attempts = [];
  try {
    for (const [source, attempt] of [
      ['prebuilt', fetchPrebuilt],
      ['compiled', opts['prebuilt-only'] ? null : compileFromSource],
    ]) {
      if (!attempt) continue;
      const result = attempt(path.join(scratch, source));
      const problem = result.file ? abiProblem(result.file) : result.reason;
      if (!problem) {
        install(result.file, source);
        return;
      }
      attempts.push(`${source}: ${problem}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  giveUp(`no ${MODULE} build for Electron ${electronVersion}. ${attempts.join('; ')}`);
}

function install(file, source) {
  mkdirSync(targetDir, { recursive: true });
  // Copy then rename, so a half-written binary is never at the path the app loads.
  copyFileSync(file, `${target}.partial`);
  renameSync(`${target}.partial`, target);
  const info = { ...wanted, moduleAbi: electronAbi, source };
  writeFileSync(infoFile, JSON.stringify(info, null, 2) + '\n');
  say(`${MODULE} ${moduleVersion} for Electron ${electronVersion} (${source}) is at ${target}`);
}

/** Electron's variables from npm's own config would redirect the tools below: drop them. */
function childEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(runtime|target|arch|platform|disturl|build_from_source)$/i.test(key)) delete env[key];
    if (/^npm_package_(from|resolved)$/i.test(key)) delete env[key];
  }
  return env;
}

function run(label, command, args, cwd, timeoutMinutes) {
  const result = spawnSync(command, args, {
    cwd,
    env: childEnv(),
    encoding: 'utf8',
    timeout: timeoutMinutes * 60_000,
  });
  if (result.error) return `${label} did not run: ${result.error.message}`;
  if (result.status === 0) return null;
  // The first line that says why (a network error, a missing compiler), not the tool's banner.
  const lines = `${result.stdout}\n${result.stderr}`.split('\n');
  const why = lines.find(
    (line) => /ENOTFOUND|ECONN|ETIMEDOUT|Error:|error:|not found/i.test(line) && !/ at /.test(line),
  );
  return `${label} exited ${result.status}${why ? `: ${why.trim()}` : ''}`;
}

/** The release binary better-sqlite3 publishes per Electron ABI, unpacked in a scratch folder. */
function fetchPrebuilt(dir) {
  const bin = resolveFromRoot('prebuild-install/bin.js');
  if (!bin) return { reason: 'prebuild-install is not installed' };
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(moduleDir, 'package.json'), path.join(dir, 'package.json'));
  const args = [bin, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch];
  args.push('--platform', process.platform, '--verbose');
  if (opts['local-prebuilds']) args.push('--local-prebuilds', path.resolve(opts['local-prebuilds']));
  const failure = run('prebuild-install', process.execPath, args, dir, 5);
  const file = path.join(dir, 'build', 'Release', BINARY);
  if (failure) return { reason: failure };
  return existsSync(file) ? { file } : { reason: `prebuild-install left no ${BINARY}` };
}

/** better-sqlite3's sources compiled against Electron's headers (needs a C++ toolchain and python3). */
function compileFromSource(dir) {
  const bin = resolveFromRoot('node-gyp/bin/node-gyp.js');
  if (!bin) return { reason: 'node-gyp is not installed' };
  cpSync(moduleDir, dir, { recursive: true, filter: (from) => path.relative(moduleDir, from) !== 'build' });
  const args = [bin, 'rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`];
  args.push(`--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers');
  args.push(`--devdir=${path.join(os.homedir(), '.electron-gyp')}`);
  say(`no prebuilt binary; trying to compile ${MODULE} for Electron ${electronVersion} from source…`);
  const failure = run('node-gyp', process.execPath, args, dir, 30);
  const file = path.join(dir, 'build', 'Release', BINARY);
  if (failure) return { reason: failure };
  return existsSync(file) ? { file } : { reason: `node-gyp left no ${BINARY}` };
}

/**
 * Loading the binary in this Node must FAIL with Electron's NODE_MODULE_VERSION in the message:
 * that proves it is an addon for Electron's ABI (the loader unloads it again). Loading fine
 * means it is a Node build, which would break the app exactly as before.
 */
function abiProblem(file) {
  try {
    process.dlopen({ exports: {} }, file);
    return `${file} loads in Node ${process.versions.node}: it is a Node build, not Electron's`;
  } catch (error) {
    const found = /NODE_MODULE_VERSION (\d+)\./.exec(error.message.replace(/\s+/g, ' '));
    if (!found) return null; // refused for another reason (Electron-only symbols): cannot tell, keep it
    const builtFor = Number(found[1]);
    if (electronAbi !== null && builtFor !== electronAbi) {
      return `${file} is for NODE_MODULE_VERSION ${builtFor}, Electron ${electronVersion} requires ${electronAbi}`;
    }
    return null;
  }
}
