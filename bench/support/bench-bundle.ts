// Quire ships as esbuild bundles (scripts/build.mjs). The benches themselves run under tsx, which
// keeps function names by wrapping every function it compiles (esbuild's keepNames): that cost
// lands on Quire's code and not on the libraries in node_modules it is compared with (one run of
// the lab worker's job wrapper: 3.4 µs under tsx, 1.8 µs bundled). A bench that runs Quire's
// per-item code in a child process bundles that child's entry the same way the product is
// built, so it measures what ships.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export interface BenchBundle {
  /** The bundled file of an entry, to run with plain `node`. */
  file(name: string): string;
  remove(): void;
}

/**
 * Bundles each entry (name → TypeScript file) as scripts/build.mjs bundles the CLI: every package
 * stays in node_modules, the rest is inlined, target Node 20, no kept names. ES modules rather
 * than CommonJS, so that an entry may await at its top level.
 */
export async function bundleForBench(entries: Record<string, string>): Promise<BenchBundle> {
  // Under node_modules/.cache, so that the bundle's imports of packages resolve as the repo's do.
  const cache = path.resolve('node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'quire-bench-'));
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const external = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
  await build({
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    entryPoints: entries,
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    external,
    logLevel: 'warning',
  });
  return {
    file: (name) => path.join(dir, `${name}.mjs`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
