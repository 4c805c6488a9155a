import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import type { TransferError } from '../../../electron/transfer/index';
import { sshdMissing, startSshd } from '../../helpers/sshd';
import { makeTestStation } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeBag } from './fixture';

const missing = sshdMissing();
if (missing) console.warn(`skipping the host-key pin tests: ${missing}`);

describe.skipIf(missing)('pinned SFTP host keys in the station', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation());
    dir = makeTempDir('quire-host-keys-');
  });
  afterEach(async () => {
    await dispose();
    dir.cleanup();
  });

  it('lists the pin, refuses a re-keyed server, and lets only a supervisor forget the pin', async () => {
    const keyDir = path.join(dir.path, 'sshd');
    const first = await startSshd(keyDir);
    const url = `sftp://${first.user}@${first.host}:${first.port}${first.root}`;
    await station.transfer.saveDestination(
      { name: 'drop', url, rate: '', verify: 'all', automatic: false, hasCredential: false },
      { privateKey: first.identity.toString('utf8') },
    );
    const send = (batchId: string) => {
      makeBag(station.layout.packages, batchId, [20_000]);
      return station.transfer.run({
        batchId,
        packageDir: station.layout.batchPackage(batchId),
        destination: 'drop',
        person: 'system',
      });
    };
    expect((await send('HK-1')).verified).toBe(true);
    const host = `[${first.host}]:${first.port}`;
    expect(station.transfer.hostKeys()).toMatchObject([{ host, sha256: first.hostKeyFingerprint }]);
    await first.stop();

    const rekeyed = await startSshd(keyDir, { port: first.port, newHostKey: true });
    try {
      const refused = await send('HK-2').catch((e: unknown) => e);
      expect((refused as TransferError).code).toBe('HOST_KEY_MISMATCH');
      expect((refused as Error).message).toMatch(/a supervisor forgets the old pin in Settings → Storage/);

      expect(() => station.transfer.forgetHostKey({ username: 'olive', role: 'operator' }, host)).toThrow(
        /only a supervisor may forget a pinned host key/,
      );
      expect(station.transfer.hostKeys()).toHaveLength(1);
      expect(station.transfer.forgetHostKey({ username: 'sam', role: 'supervisor' }, host)).toEqual([]);
      expect(() => station.transfer.forgetHostKey({ username: 'sam', role: 'supervisor' }, host)).toThrow(
        /not found/,
      );

      // The next connection pins the server's new key.
      expect((await send('HK-2')).verified).toBe(true);
      expect(station.transfer.hostKeys()).toMatchObject([{ host, sha256: rekeyed.hostKeyFingerprint }]);
    } finally {
      await rekeyed.stop();
    }
  });
});
