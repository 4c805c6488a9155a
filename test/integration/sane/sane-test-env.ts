import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaptureRequest } from '../../../electron/scanner/device';
import { SaneDevice } from '../../../electron/scanner/sane/sane-device';

/**
 * SANE's own `test` backend in a private SANE_CONFIG_DIR (dll.conf lists only `test`), so the
 * system's configuration and real scanners are never touched. Its feeder holds exactly 10
 * sheets; `read-return-value` makes sane_read() fail with a chosen status.
 */
export interface SaneTestEnv {
  env: NodeJS.ProcessEnv;
  configDir: string;
}

/** Why the SANE tests cannot run here, or null. */
export function saneSkipReason(): string | null {
  const probe = spawnSync('scanimage', ['--version'], { encoding: 'utf8' });
  if (probe.error) return `scanimage is not installed (${probe.error.message}): install sane-utils`;
  return null;
}

export function makeSaneTestEnv(root: string): SaneTestEnv {
  const configDir = path.join(root, 'sane.d');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(path.join(configDir, 'dll.conf'), 'test\n');
  // One virtual device, small gray pages: the defaults of the backend, written down.
  writeFileSync(
    path.join(configDir, 'test.conf'),
    ['number_of_devices 1', 'mode Gray', 'depth 8', 'resolution 50', 'test-picture "Solid black"', ''].join(
      '\n',
    ),
  );
  return {
    configDir,
    env: { ...process.env, SANE_CONFIG_DIR: configDir, GLIBC_TUNABLES: TEST_BACKEND_MALLOC_TUNABLES },
  };
}

/**
 * SANE's `test` backend hangs now and then at the end of a page: scanimage's main thread waits
 * in sanei_thread_waitpid for the page's reader thread, and that thread never finishes exiting,
 * blocked on a malloc lock while glibc frees its per-thread cache (gdb on a hung scanimage,
 * 2026-12-01; it looks like the reader's asynchronous cancel catching it as it ends). On this machine, 11 of 3,000
 * ten-page batches hung; with the per-thread cache off, 1 of 3,000. So the tests' backend runs
 * with it off, and the tests that run whole batches through it take one retry
 * (`BACKEND_HANG_RETRY`), after `killScanimagesUnder` has ended the hung process. It is the
 * backend's fault, not Quire's: Quire's own answer to a scanner that stops answering is the
 * capture's time limit, tested with `stallingScanimage`.
 */
const TEST_BACKEND_MALLOC_TUNABLES = 'glibc.malloc.tcache_count=0';
export const BACKEND_HANG_RETRY = 1;

/**
 * SIGKILLs every scanimage still running on files under `root` (a test's own folder), and the
 * test's wrapper scripts there (one waiting on its gate when a test failed would stay forever).
 */
export function killScanimagesUnder(root: string): void {
  const under = root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  spawnSync('pkill', ['-KILL', '-f', `^scanimage .*${under}`]);
  spawnSync('pkill', ['-KILL', '-f', `^(/usr)?/bin/bash ${under}/scanimage-`]);
}

/**
 * Writes `root/scanimage-<name>`, a wrapper Quire runs in place of scanimage. Only a batch
 * (`--batch-print`) reaches `body`; listing and option reading pass straight through to the real
 * scanimage. With `once`, only the first batch does: later ones are plain scanimage.
 */
function scanimageWrapper(
  root: string,
  name: string,
  body: string[],
  options: { once?: boolean } = {},
): string {
  const script = path.join(root, `scanimage-${name}`);
  const once = options.once
    ? [`[ -e '${script}.used' ] && exec scanimage "$@"`, `touch '${script}.used'`]
    : [];
  writeFileSync(
    script,
    [
      '#!/bin/bash',
      'case " $* " in *" --batch-print "*) ;; *) exec scanimage "$@" ;; esac',
      ...once,
      ...body,
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return script;
}

/**
 * A scanimage that is really scanimage, but marks each finished page with its file name (so
 * pages differ and their order can be checked) and keeps a copy of exactly what it handed over.
 */
export function markingScanimage(root: string, referenceDir: string): string {
  mkdirSync(referenceDir, { recursive: true });
  return scanimageWrapper(root, 'marking', [
    'scanimage "$@" | while IFS= read -r f; do',
    '  printf "QUIRE-TEST-%s" "$(basename "$f")" >> "$f"',
    `  cp "$f" '${referenceDir}/'`,
    '  echo "$f"',
    'done',
    'exit "${PIPESTATUS[0]}"',
  ]);
}

/**
 * A scanimage whose feeder fails once, after `pages` good sheets: the real scanimage scans them,
 * then the wrapper reports what scanimage reports for a jam, or for a read error in the middle of
 * the next sheet (the test backend can only fail at once). The next batch runs normally.
 */
export function failingScanimage(root: string, pages: number, fault: 'jam' | 'read-error' = 'jam'): string {
  const [message, status] = fault === 'jam' ? ['Document feeder jammed', 6] : ['Error during device I/O', 9];
  return scanimageWrapper(
    root,
    fault,
    [
      `scanimage "$@" --batch-count=${pages} || exit $?`,
      'echo "Scanning page ' + String(pages + 1) + '" >&2',
      `echo "scanimage: sane_read: ${message}" >&2`,
      `exit ${status}`,
    ],
    { once: true },
  );
}

/** A scanimage whose page `page` is cut in half after scanimage wrote it (a truncated image). */
export function truncatingScanimage(root: string, page: number): string {
  return scanimageWrapper(root, 'truncating', [
    'scanimage "$@" | while IFS= read -r f; do',
    `  if [ "$(basename "$f")" = "scan-${page}.tif" ]; then truncate -s $(( $(stat -c %s "$f") / 2 )) "$f"; fi`,
    '  echo "$f"',
    'done',
    'exit "${PIPESTATUS[0]}"',
  ]);
}

/**
 * A scanimage whose page `good + 1` is cut in half (a malformed image) while the next sheet is
 * already feeding: it says it starts page `good + 2`, and hands over the broken page only once
 * the test has seen that sheet start and writes a line to the FIFO `gate`. Then it hangs, as a
 * scanner that waits for its sheet to finish, until Quire stops it. Once: the next batch runs
 * normally.
 */
export function brokenPageAsNextFeedsScanimage(root: string, good: number, gate: string): string {
  const broken = good + 1;
  return scanimageWrapper(
    root,
    'broken-page',
    [
      `scanimage "$@" --batch-count=${broken} | while IFS= read -r f; do`,
      `  if [ "$(basename "$f")" = "scan-${broken}.tif" ]; then`,
      '    truncate -s $(( $(stat -c %s "$f") / 2 )) "$f"',
      `    echo "Scanning page ${broken + 1}" >&2`,
      `    read -r _ < '${gate}'`,
      '  fi',
      '  echo "$f"',
      'done',
      `exec -a 'scanimage stalled under ${root}' sleep 600`,
    ],
    { once: true },
  );
}

/**
 * A scanimage that hands its pages over only once it has scanned them all, as a fast feeder
 * outruns the station: every page is whole in the spool before Quire takes the first, so a page
 * Quire stops at has later pages already delivered, whatever the timing. Once: the next batch
 * runs normally.
 */
export function handingOverAtEndScanimage(root: string): string {
  return scanimageWrapper(
    root,
    'at-end',
    ['pages=$(scanimage "$@")', 'status=$?', 'printf "%s\\n" "$pages"', 'exit "$status"'],
    { once: true },
  );
}

/**
 * A scanimage that stops answering after `pages` good sheets, as a hung backend does: the real
 * scanimage scans them, then the process says it starts the next sheet and never ends on its own.
 */
export function stallingScanimage(root: string, pages: number): string {
  return scanimageWrapper(root, 'stalling', [
    `scanimage "$@" --batch-count=${pages} || exit $?`,
    'echo "Scanning page ' + String(pages + 1) + '" >&2',
    // The same process goes on holding scanimage's output open, as the hung one did.
    // Named so that killScanimagesUnder finds it should a failing test leave it behind.
    `exec -a 'scanimage stalled under ${root}' sleep 600`,
  ]);
}

/** The station's view of the test backend's device (`sane-1`, 50 dpi gray), connected. */
export function testBackendDevice(
  sane: SaneTestEnv,
  driverOptions: Record<string, string>,
  command?: string,
): SaneDevice {
  const d = new SaneDevice(
    { name: 'sane-1', address: 'test', profile: { dpi: 50, mode: 'gray', bitDepth: 8 }, driverOptions },
    { env: sane.env, command },
  );
  d.connect();
  return d;
}

/** A capture of batch B1 at the test device's profile into `mastersDir`, read until empty by default. */
export function testBackendRequest(mastersDir: string, over: Partial<CaptureRequest> = {}): CaptureRequest {
  return { jobId: 'B1', pages: null, dpi: 50, mode: 'gray', bitDepth: 8, mastersDir, ...over };
}
