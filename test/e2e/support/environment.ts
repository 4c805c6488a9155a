import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { electronBuildPath } from '../../../electron/storage/native-binding';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const RENDERER_BUNDLE = path.join(REPO_ROOT, 'dist', 'renderer');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

/** Debian's Chromium (never a Playwright-downloaded browser). */
export const CHROMIUM_PATH = process.env.QUIRE_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why the browser e2e cannot run here, or null when it can. Printed, never silently skipped. */
export function browserE2eUnavailableReason(): string | null {
  if (!existsSync(CHROMIUM_PATH)) return `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
  if (!existsSync(path.join(RENDERER_BUNDLE, 'index.html'))) return 'renderer not built (npm run build)';
  return null;
}

/**
 * The Electron binary, without touching require('electron') (which would try to download it
 * when missing). Null with a reason when the postinstall download was skipped, as offline.
 */
export function electronBinary(): { path: string } | { reason: string } {
  const pkg = path.join(REPO_ROOT, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      reason:
        'Electron binary not installed (offline install skips its download; run `npm install` with network)',
    };
  }
  const binary = path.join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { reason: `Electron binary missing at ${binary}` };
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'electron', 'main.cjs')))
    return { reason: 'app not built (npm run build)' };
  // Without Electron's build of better-sqlite3 the app would stop at its error dialog.
  const version = (JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version: string })
    .version;
  if (!existsSync(electronBuildPath(REPO_ROOT, version)))
    return { reason: `no better-sqlite3 build for Electron ${version} (run npm run native:electron)` };
  return { path: binary };
}

export function skipNotice(suite: string, reason: string): void {
  process.stdout.write(`SKIPPED ${suite}: ${reason}\n`);
}
