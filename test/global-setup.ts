import { execFileSync } from 'node:child_process';

/** Tests that spawn the `quire` CLI need its bundle; building the main process takes about a second. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { stdio: 'inherit' });
}
