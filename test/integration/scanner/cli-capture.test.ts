import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, watch } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScanLinkSimulator } from '../../../electron/scanner/simulator/simulator';
import { runCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';

describe('quire probe / capture / simulate', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let sim: ScanLinkSimulator;

  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(async () => {
    await sim?.stop();
    dir.cleanup();
  });

  it('probe prints one JSON line with hello and status and exits 0', async () => {
    sim = new ScanLinkSimulator({ sheets: 1 });
    const port = await sim.start();
    const run = await runCli(['probe', `127.0.0.1:${port}`]).done;
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ hello: { protocol: 1, serial: sim.serial }, status: { state: 'IDLE' } });
  });

  it('probe exits non-zero with a JSON error when nothing answers', async () => {
    const run = await runCli(['probe', '127.0.0.1:1', '--timeout', '1000']).done;
    expect(run.code).not.toBe(0);
    expect(run.json).toMatchObject({ error: { code: 'UNREACHABLE' } });
  });

  it('capture writes verified pages and exits 0 only when all arrived', async () => {
    sim = new ScanLinkSimulator({ sheets: 3, pageWidthInches: 0.5, pageHeightInches: 0.5 });
    const port = await sim.start();
    const run = await runCli([
      'capture',
      `127.0.0.1:${port}`,
      '--job',
      'J1',
      '--out',
      dir.path,
      '--dpi',
      '100',
    ]).done;
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ job: 'J1', status: 'complete' });
    const pages = run.json!.pages as { page: number; sha256: string; path: string }[];
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3]);
    for (const p of pages) {
      expect(p.path).toBe(path.join(dir.path, 'J1', 'masters', `page-000${p.page}.tif`));
      expect(createHash('sha256').update(readFileSync(p.path)).digest('hex')).toBe(p.sha256);
    }
  });

  it('capture exits non-zero on a jam, says why, and keeps the good pages', async () => {
    sim = new ScanLinkSimulator({
      sheets: 5,
      pageWidthInches: 0.5,
      pageHeightInches: 0.5,
      faults: [{ kind: 'jamAtPage', page: 2 }],
    });
    const port = await sim.start();
    const run = await runCli([
      'capture',
      `127.0.0.1:${port}`,
      '--job',
      'J1',
      '--out',
      dir.path,
      '--pages',
      '4',
      '--dpi',
      '100',
    ]).done;
    expect(run.code).not.toBe(0);
    expect(run.json).toMatchObject({ status: 'jammed', error: { code: 'ADF_JAM' }, pages: [{ page: 1 }] });
    expect(readdirSync(path.join(dir.path, 'J1', 'masters'))).toEqual(['page-0001.tif']);
  });

  it('capture refuses a bad job id without touching the disk', async () => {
    const run = await runCli(['capture', '127.0.0.1:9', '--job', '../x', '--out', dir.path]).done;
    expect(run.code).not.toBe(0);
    expect(run.json).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('after SIGKILL mid-page, no file under a final name is partial, and a rerun completes the job', async () => {
    // Slow flushing makes "mid-page" a wide window; pages are ~1 MB.
    sim = new ScanLinkSimulator({
      sheets: 4,
      pageWidthInches: 2,
      pageHeightInches: 2,
      flushBytesPerSecond: 4_000_000,
      dataFrameBytes: 64 * 1024,
    });
    const port = await sim.start();
    const masters = path.join(dir.path, 'J1', 'masters');
    mkdirSync(masters, { recursive: true });
    const secondPartSeen = new Promise<void>((resolve) => {
      const watcher = watch(masters, (_event, name) => {
        if (name === 'page-0002.tif.part') {
          watcher.close();
          resolve();
        }
      });
    });
    const { child, done } = runCli([
      'capture',
      `127.0.0.1:${port}`,
      '--job',
      'J1',
      '--out',
      dir.path,
      '--pages',
      '4',
      '--dpi',
      '300',
      '--mode',
      'color',
    ]);
    await secondPartSeen;
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const sent = new Map(sim.pagesSent.map((p) => [p.page, p.sha256]));
    const finals = readdirSync(masters).filter((n) => n.endsWith('.tif'));
    for (const name of finals) {
      const page = Number(/page-(\d+)/.exec(name)![1]);
      expect(
        createHash('sha256')
          .update(readFileSync(path.join(masters, name)))
          .digest('hex'),
      ).toBe(sent.get(page));
    }
    expect(finals).not.toContain('page-0002.tif');

    const rerun = await runCli([
      'capture',
      `127.0.0.1:${port}`,
      '--job',
      'J1',
      '--out',
      dir.path,
      '--pages',
      String(4 - finals.length),
      '--dpi',
      '300',
      '--mode',
      'color',
    ]).done;
    expect(rerun.code).toBe(0);
    expect(readdirSync(masters).sort()).toEqual([
      'page-0001.tif',
      'page-0002.tif',
      'page-0003.tif',
      'page-0004.tif',
    ]);
  });
});
