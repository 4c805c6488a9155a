import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/storage/database';
import { makeTestStation } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';

const mode = (file: string) => statSync(file).mode & 0o777;

describe.skipIf(process.platform === 'win32')('the data folder and database are owner-only', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('creates the data folder 0700 and quire.db with its -wal and -shm 0600', async () => {
    const { station, dispose } = await makeTestStation();
    cleanups.push(dispose);
    station.db.prepare('CREATE TABLE IF NOT EXISTS probe (x)').run();
    const root = station.layout.root;
    for (const dir of [station.layout.staging, station.layout.packages, station.layout.logs])
      expect(mode(dir)).toBe(0o700);
    for (const file of ['quire.db', 'quire.db-wal', 'quire.db-shm'])
      expect(mode(path.join(root, file)), file).toBe(0o600);
  });

  it('tightens a database file left world-readable by an older version', () => {
    const dir = makeTempDir('quire-perm-');
    cleanups.push(dir.cleanup);
    const folder = path.join(dir.path, 'data');
    mkdirSync(folder);
    const file = path.join(folder, 'quire.db');
    writeFileSync(file, '', { mode: 0o644 });
    writeFileSync(`${file}-wal`, '', { mode: 0o644 });
    const db = openDatabase(file);
    db.close();
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
  });
});
