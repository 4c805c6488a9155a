import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/logger';
import { createStation, type Station } from '../../../electron/station';
import { DataFolderInUseError } from '../../../electron/storage/index';
import { runCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';

/** Resolves with the first stdout line of a spawned command (serve prints its URL when ready). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end >= 0) resolve(text.slice(0, end));
    });
    child.once('close', (code) => reject(new Error(`exited with ${code} before printing a line`)));
  });
}

describe('one station per data folder', () => {
  const dirs: ReturnType<typeof makeTempDir>[] = [];
  const stations: Station[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const station of stations.splice(0)) await station.close();
    for (const dir of dirs.splice(0)) dir.cleanup();
  });
  const tempDir = () => {
    const dir = makeTempDir('quire-lock-');
    dirs.push(dir);
    return dir.path;
  };
  const open = async (dataDir: string, exclusive?: boolean) => {
    const station = await createStation({ dataDir, logger: silentLogger(), exclusive });
    stations.push(station);
    return station;
  };

  it('refuses a second station on the folder, naming the holder, and admits one after the first closed', async () => {
    const dataDir = tempDir();
    const first = await open(dataDir);
    const refused = await open(dataDir).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataFolderInUseError);
    expect(refused).toMatchObject({
      code: 'DATA_FOLDER_IN_USE',
      holder: { pid: process.pid, host: os.hostname() },
    });
    expect((refused as Error).message).toMatch(
      new RegExp(
        `in use by another Quire station \\(pid ${process.pid} on ${os.hostname()}, ".+", since \\d{4}-`,
      ),
    );
    // Database-only work (listing jobs, reading the audit log) may run beside the station.
    const reader = await open(dataDir, false);
    expect(reader.audit.verify().ok).toBe(true);

    await first.close();
    const next = await open(dataDir);
    expect(next.layout.root).toBe(first.layout.root);
  });

  it('a second `quire serve` exits naming the first; once the first is SIGKILLed, a new one starts', async () => {
    const dataDir = tempDir();
    const serve = () => runCli(['serve', '--data', dataDir, '--simulators', '0', '--port', '0']);
    const first = serve();
    children.push(first.child);
    expect(JSON.parse(await firstLine(first.child))).toMatchObject({ dataDir });

    const second = await serve().done;
    expect(second.code).toBe(3);
    expect(second.json).toMatchObject({
      error: {
        code: 'DATA_FOLDER_IN_USE',
        message: expect.stringContaining(`pid ${first.child.pid}`),
        holder: {
          pid: first.child.pid,
          host: os.hostname(),
          command: expect.stringMatching(/^quire serve --data/),
        },
      },
    });
    // A command that only reads the database runs beside the station.
    const list = await runCli(['queue', 'list', '--data', dataDir]).done;
    expect(list).toMatchObject({ code: 0, json: { total: 0 } });

    first.child.kill('SIGKILL');
    await first.done;
    const third = serve();
    children.push(third.child);
    expect(JSON.parse(await firstLine(third.child))).toMatchObject({ dataDir });
    third.child.kill('SIGTERM');
    const ended = await third.done;
    expect(ended.code).toBe(0);
  });
});
