import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDataDir } from '../../../electron/storage/data-dir';
import { makeTempDir } from '../../helpers/temp-dir';

describe('a lab station data folder', () => {
  const dirs: ReturnType<typeof makeTempDir>[] = [];
  afterEach(() => dirs.forEach((d) => d.cleanup()));
  const temp = () => {
    const d = makeTempDir('quire-layout-');
    dirs.push(d);
    return d.path;
  };

  it("stages batches and packages in the lab's share, and remembers it for commands run without the lab's options", () => {
    const data = temp();
    const share = temp();
    const lab = ensureDataDir(data, { root: share, station: 'desk-a' });
    expect(lab.batchMasters('B-1')).toBe(path.join(share, 'stations', 'desk-a', 'staging', 'B-1', 'masters'));
    expect(lab.batchPackage('B-1')).toBe(path.join(share, 'stations', 'desk-a', 'packages', 'B-1'));
    expect(lab.database).toBe(path.join(data, 'quire.db'));
    // `quire verify --data DIR`, without --lab-storage, looks where the batches are.
    expect(ensureDataDir(data).staging).toBe(lab.staging);
    // A station alone that never joined a lab keeps everything in its own folder.
    expect(ensureDataDir(temp()).staging).not.toContain(share);
  });

  it('refuses a station name that could leave the share', () => {
    const data = temp();
    expect(() => ensureDataDir(data, { root: temp(), station: '../desk-b' })).toThrow(/invalid station name/);
    expect(existsSync(path.join(data, 'lab-share.json'))).toBe(false);
  });
});
