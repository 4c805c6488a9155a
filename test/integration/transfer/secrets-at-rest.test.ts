import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { dispatch, newSession } from '../../../electron/transport/dispatch';
import { stationEndpoint } from '../../../electron/transport/station-endpoint';
import { sshdMissing, startSshd, type Sshd } from '../../helpers/sshd';
import { makeTestStation } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';
import { makeBag } from './fixture';

const missing = sshdMissing();
if (missing) console.warn(`skipping the secrets-at-rest test: ${missing}`);

/** Markers no legitimate byte of the database or the log could contain by chance. */
const S3_SECRET = 'S3SECRET-9f2c41d7e8b3a6';
const S3_KEY_ID = 'S3KEYID-41c2e7';
const PASSPHRASE = 'PASSPHRASE-7d1e9a3c';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe.skipIf(missing)('destination secrets at rest', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let sshd: Sshd;
  let dir: ReturnType<typeof makeTempDir>;

  beforeAll(async () => {
    dir = makeTempDir('quire-secrets-');
    sshd = await startSshd(path.join(dir.path, 'sshd'));
    // The station's real debug log (quire.log under the data folder), not a silent one.
    ({ station, dispose } = await makeTestStation({ logger: undefined, runWorkers: true }));
  });
  afterAll(async () => {
    await dispose();
    await sshd.stop();
    dir.cleanup();
  });

  it('never reach the database or the debug log, through the console, a transfer or a failure', async () => {
    const endpoint = stationEndpoint(station);
    await station.auth.createAccount({
      username: 'sofia',
      displayName: 'Sofia',
      password: 'supervisor passphrase',
      role: 'supervisor',
    });
    const session = newSession();
    await station.auth.signIn(session, { username: 'sofia', password: 'supervisor passphrase' });
    const call = (command: string, input: unknown) =>
      dispatch(
        endpoint.table,
        command,
        input,
        { session, transport: 'test' },
        { logger: station.logger, validateOutput: true, sessionGuard: endpoint.sessionGuard },
      );
    const keyText = sshd.identity.toString('utf8');
    // The key's body lines: any of them in a file would be the key leaking.
    const keyLines = keyText.split('\n').filter((l) => l.length > 40 && !l.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(0);

    const ok = (await call('transfer.saveDestination', {
      destination: { name: 'drop', url: `sftp://${sshd.user}@${sshd.host}:${sshd.port}${sshd.root}` },
      secret: { privateKey: keyText },
    })) as { ok: boolean };
    expect(ok).toMatchObject({ ok: true });
    await call('transfer.saveDestination', {
      destination: { name: 'bucket', url: 's3://archive/ingest?endpoint=http://127.0.0.1:9' },
      secret: { accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET },
    });
    // A save that fails (a bad rate): its refusal names the rate, never the secret.
    const refused = (await call('transfer.saveDestination', {
      destination: { name: 'bad', url: 'sftp://quire@127.0.0.1:1/x', rate: '5 parsecs' },
      secret: { privateKey: keyText, passphrase: PASSPHRASE },
    })) as { ok: boolean };
    expect(refused).toMatchObject({ ok: false });

    // A transfer with the stored key, then one that fails to connect with a wrong stored key.
    mkdirSync(station.layout.packages, { recursive: true });
    makeBag(station.layout.packages, 'SEC-1', [50_000]);
    const sent = await station.transfer.run({
      batchId: 'SEC-1',
      packageDir: station.layout.batchPackage('SEC-1'),
      destination: 'drop',
      person: 'sofia',
    });
    expect(sent.verified).toBe(true);
    await call('transfer.saveDestination', {
      destination: { name: 'drop', url: `sftp://${sshd.user}@${sshd.host}:${sshd.port}${sshd.root}` },
      secret: { privateKey: keyText.replace(keyLines[1]!, keyLines[1]!.split('').reverse().join('')) },
    });
    makeBag(station.layout.packages, 'SEC-2', [50_000]);
    await expect(
      station.transfer.run({
        batchId: 'SEC-2',
        packageDir: station.layout.batchPackage('SEC-2'),
        destination: 'drop',
        person: 'sofia',
      }),
    ).rejects.toThrow();

    station.logger.flush?.();
    station.db.pragma('wal_checkpoint(TRUNCATE)');
    const stored = [
      ...filesUnder(path.dirname(station.layout.database)).filter((f) =>
        f.startsWith(station.layout.database),
      ),
      ...filesUnder(station.layout.logs),
    ];
    expect(stored.some((f) => f.endsWith('quire.log'))).toBe(true);
    // A log with content: the check below is not passed by an empty file.
    expect(
      filesUnder(station.layout.logs)
        .map((f) => readFileSync(f, 'utf8'))
        .join(''),
    ).toMatch(/station started/);
    for (const file of stored) {
      const bytes = readFileSync(file);
      for (const secret of [S3_SECRET, S3_KEY_ID, PASSPHRASE, ...keyLines])
        expect(bytes.includes(secret), `${secret.slice(0, 12)}… in ${file}`).toBe(false);
    }
    // Where they are (without the app's safeStorage): owner-only files, which the search above
    // would have caught had they been written anywhere it looked.
    const vault = path.join(station.layout.root, 'credentials', 'transfer-bucket');
    expect(readFileSync(vault).includes(S3_SECRET)).toBe(true);
    // The destinations list says a key is stored, and nothing more.
    const listed = JSON.stringify(await call('transfer.destinations', {}));
    expect(listed).toContain('"hasCredential":true');
    for (const secret of [S3_SECRET, S3_KEY_ID, ...keyLines]) expect(listed.includes(secret)).toBe(false);
  }, 120_000);
});
