import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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
  return { configDir, env: { ...process.env, SANE_CONFIG_DIR: configDir } };
}

/**
 * A scanimage that is really scanimage, but marks each finished page with its file name (so
 * pages differ and their order can be checked) and keeps a copy of exactly what it handed over.
 */
export function markingScanimage(root: string, referenceDir: string): string {
  mkdirSync(referenceDir, { recursive: true });
  const script = path.join(root, 'scanimage-marking');
  writeFileSync(
    script,
    [
      '#!/bin/bash',
      '# Only a batch prints page files; listing and option reading pass straight through.',
      'case " $* " in *" --batch-print "*) ;; *) exec scanimage "$@" ;; esac',
      'scanimage "$@" | while IFS= read -r f; do',
      '  printf "QUIRE-TEST-%s" "$(basename "$f")" >> "$f"',
      `  cp "$f" '${referenceDir}/'`,
      '  echo "$f"',
      'done',
      'exit "${PIPESTATUS[0]}"',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return script;
}

/**
 * A scanimage whose feeder jams once, after `pages` good sheets: the real scanimage scans them,
 * then the wrapper reports what scanimage reports for a jam (the test backend can only jam at
 * once). Once the operator has cleared it, the next batch runs normally.
 */
export function jammingScanimage(root: string, pages: number): string {
  const script = path.join(root, 'scanimage-jamming');
  writeFileSync(
    script,
    [
      '#!/bin/bash',
      'case " $* " in *" --batch-print "*) ;; *) exec scanimage "$@" ;; esac',
      `[ -e '${script}.jammed' ] && exec scanimage "$@"`,
      `touch '${script}.jammed'`,
      `scanimage "$@" --batch-count=${pages} || exit $?`,
      'echo "Scanning page ' + String(pages + 1) + '" >&2',
      'echo "scanimage: sane_read: Document feeder jammed" >&2',
      'exit 6',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return script;
}

/** A scanimage whose page `page` is cut in half after scanimage wrote it (a truncated image). */
export function truncatingScanimage(root: string, page: number): string {
  const script = path.join(root, 'scanimage-truncating');
  writeFileSync(
    script,
    [
      '#!/bin/bash',
      'case " $* " in *" --batch-print "*) ;; *) exec scanimage "$@" ;; esac',
      'scanimage "$@" | while IFS= read -r f; do',
      `  if [ "$(basename "$f")" = "scan-${page}.tif" ]; then truncate -s $(( $(stat -c %s "$f") / 2 )) "$f"; fi`,
      '  echo "$f"',
      'done',
      'exit "${PIPESTATUS[0]}"',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return script;
}
