// One build for everything: esbuild bundles the main process, preload and CLI as CommonJS
// (native modules stay external), and Vite builds the renderer.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { readFileSync, rmSync } from 'node:fs';

const only = process.argv.includes('--main-only') ? 'main' : 'all';
rmSync('dist/electron', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  outExtension: { '.js': '.cjs' },
  outdir: 'dist/electron',
  logLevel: 'warning',
};
// Node packages stay in node_modules (native addons and sharp's binaries cannot be bundled),
// except ESM-only ones, which a CommonJS bundle cannot require on every Node it runs on.
const esmOnly = new Set(['p-limit']);
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter(
  (name) => !esmOnly.has(name),
);
await esbuild({
  ...common,
  entryPoints: { main: 'electron/main.ts', cli: 'electron/cli.ts' },
  external,
});
// The sandboxed preload can require only 'electron', so everything else is inlined.
await esbuild({ ...common, entryPoints: { preload: 'electron/preload.ts' }, external: ['electron'] });

if (only === 'all') {
  rmSync('dist/renderer', { recursive: true, force: true });
  await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });
}
console.log('built dist/electron (main, preload, cli) and dist/renderer');
