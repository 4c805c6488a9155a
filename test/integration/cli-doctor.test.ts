import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';

interface Tool {
  path: string | null;
  debianPackage: string;
  use: string;
}
interface DoctorReport {
  ok: boolean;
  problems: string[];
  warnings: string[];
  error?: { code: string; message: string };
  native: {
    node: { module: string; runtime: string; ok: boolean }[];
    electron: { installed: boolean; version?: string; file?: string };
  };
  dataDir: Record<string, unknown>;
  disk: { path: string; freeBytes: number };
  tools: Record<'scanimage' | 'tesseract' | 'ssh' | 'sftp' | 'xmllint' | 'vips', Tool>;
}

/** `quire doctor` through the built CLI (test/global-setup.ts runs scripts/build.mjs). */
describe('quire doctor', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let data: string;
  let bin: string;

  beforeEach(() => {
    dir = makeTempDir('quire-doctor-');
    data = path.join(dir.path, 'station');
    mkdirSync(data, { mode: 0o700 });
    chmodSync(data, 0o700);
    // A PATH holding only two of the optional tools, so the report is known whatever this
    // machine has installed.
    bin = path.join(dir.path, 'bin');
    mkdirSync(bin);
    for (const tool of ['scanimage', 'xmllint']) {
      writeFileSync(path.join(bin, tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    }
    writeFileSync(path.join(bin, 'tesseract'), 'not executable\n', { mode: 0o644 });
  });
  afterEach(() => dir.cleanup());

  async function doctor(dataDir: string) {
    const run = await runCli(['doctor', '--data', dataDir], { PATH: bin }).done;
    expect(run.json, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).not.toBeNull();
    return { ...run, report: run.json as unknown as DoctorReport };
  }

  it('reports native modules, the data folder, disk space and tools in one JSON line', async () => {
    const { code, stdout, report } = await doctor(data);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    // The Node build this CLI runs on loads.
    expect(report.native.node).toEqual([
      expect.objectContaining({
        module: 'better-sqlite3',
        ok: true,
        runtime: expect.stringMatching(/^Node /),
      }),
    ]);
    // The Electron build is reported against the installed Electron; here (offline) it is absent.
    expect(report.native.electron).toHaveProperty('installed');
    if (report.native.electron.installed) {
      expect(report.native.electron.file).toMatch(
        new RegExp(
          `node_modules[\\\\/]\\.quire-native[\\\\/]electron-${report.native.electron.version ?? ''}[\\\\/]`,
        ),
      );
    }
    expect(report.dataDir).toEqual({
      path: data,
      exists: true,
      folder: true,
      writable: true,
      ownerOnly: true,
    });
    expect(report.disk.freeBytes).toBeGreaterThan(0);
    expect(report.tools.scanimage).toMatchObject({
      path: path.join(bin, 'scanimage'),
      debianPackage: 'sane-utils',
    });
    expect(report.tools.xmllint.path).toBe(path.join(bin, 'xmllint'));
    // Present but not executable is not found; missing optional tools are not problems.
    expect(report.tools.tesseract.path).toBeNull();
    expect(report.tools.vips.path).toBeNull();
    expect(report.tools.ssh.path).toBeNull();
    expect(JSON.stringify(report.problems)).not.toMatch(/tesseract|vips|ssh|data folder/);
    // Exit 0 exactly when nothing is a real problem (an Electron binary without its build is one).
    expect(report.ok).toBe(report.problems.length === 0);
    expect(code).toBe(report.ok ? 0 : 1);
  });

  it('warns, without failing, when the data folder is open to other users', async () => {
    chmodSync(data, 0o755);
    const { report } = await doctor(data);
    expect(report.dataDir.ownerOnly).toBe(false);
    expect(report.warnings).toContain(
      `data folder ${data} is open to other users (mode 755); fix: chmod 700 ${data}`,
    );
    expect(JSON.stringify(report.problems)).not.toMatch(/data folder/);
  });

  it('a data folder that does not exist yet is a warning', async () => {
    const fresh = path.join(dir.path, 'not-yet');
    const { report } = await doctor(fresh);
    expect(report.dataDir).toMatchObject({ path: fresh, exists: false, writable: true });
    expect(report.warnings).toContain(
      `data folder ${fresh} does not exist yet; the station creates it at first start`,
    );
  });

  it('fails with the whole report when the data folder is a file', async () => {
    const file = path.join(dir.path, 'a-file');
    writeFileSync(file, 'x');
    const { code, report } = await doctor(file);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.problems).toContain(`data folder ${file} is not a folder`);
    expect(report.error).toMatchObject({
      code: 'DOCTOR_PROBLEMS',
      message: expect.stringContaining('is not a folder'),
    });
    expect(report.tools.scanimage.path).toBe(path.join(bin, 'scanimage'));
  });
});
