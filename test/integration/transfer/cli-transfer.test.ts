import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/logger';
import { createStation } from '../../../electron/station';
import { openDatabase } from '../../../electron/storage/index';
import { runCli } from '../../helpers/cli';
import { TEST_PASSWORD_HASH_PARAMS } from '../../helpers/station';
import { sshdMissing, startSshd, type Sshd } from '../../helpers/sshd';
import { makeTempDir } from '../../helpers/temp-dir';
import { folderDigest, makeBag } from './fixture';

const missing = sshdMissing();
if (missing) console.warn(`skipping the quire transfer CLI tests: ${missing}`);

/** Resolves once `probe` holds, checking as the file grows (bounded: a stuck CLI fails the test). */
async function until(probe: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(missing)('quire transfer (CLI) to a real sshd', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let sshd: Sshd;
  beforeAll(async () => {
    dir = makeTempDir('quire-cli-transfer-');
    sshd = await startSshd(path.join(dir.path, 'sshd'));
  });
  afterAll(async () => {
    await sshd?.stop();
    dir?.cleanup();
  });

  it('resumes after a SIGKILL mid-file without re-sending what arrived, and exits 0 only when verified', async () => {
    const bag = makeBag(dir.path, 'K1', [6_000_000]);
    const root = path.join(sshd.root, 'killed');
    mkdirSync(root);
    const data = path.join(dir.path, 'station');
    const url = `sftp://${sshd.user}@127.0.0.1:${sshd.port}${root}`;
    const args = ['transfer', bag, url, '--identity', sshd.identityFile, '--data', data];
    const partial = path.join(root, 'K1.quire-incoming', 'data/masters/page-0001.tif.quire-part');

    const first = runCli([...args, '--limit-rate', '1M']);
    await until(
      () => existsSync(partial) && statSync(partial).size >= 1_500_000,
      'the first 1.5 MB to arrive',
    );
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(path.join(root, 'K1.quire-incoming', 'data/masters/page-0001.tif'))).toBe(false);
    expect(existsSync(path.join(root, 'K1'))).toBe(false);
    const arrived = statSync(partial).size;

    const second = await runCli(args).done;
    expect(second.code).toBe(0);
    expect(second.json).toMatchObject({ verified: true });
    const { bytesSent, bytesSkipped } = second.json as { bytesSent: number; bytesSkipped: number };
    expect(bytesSkipped).toBeGreaterThanOrEqual(arrived - 256 * 1024);
    expect(bytesSent).toBeLessThan(6_100_000 - 1_000_000);
    const rels = ['data/masters/page-0001.tif', 'manifest-sha256.txt'];
    expect(folderDigest(path.join(root, 'K1'), rels)).toEqual(folderDigest(bag, rels));

    const db = openDatabase(path.join(data, 'quire.db'));
    try {
      const events = db
        .prepare(
          `SELECT outcome, detail, agent_person AS person FROM audit_events WHERE type = 'replication'`,
        )
        .all();
      expect(events).toMatchObject([{ outcome: 'success' }]);
    } finally {
      db.close();
    }

    // Once complete, a rerun sends nothing and still exits 0.
    const third = await runCli(args).done;
    expect(third.code).toBe(0);
    expect(third.json).toMatchObject({ verified: true, bytesSent: 0 });
  });

  it('exits non-zero with an error line when the destination is unusable', async () => {
    const run = await runCli([
      'transfer',
      makeBag(dir.path, 'K2', [10_000]),
      `sftp://${sshd.user}@127.0.0.1:${sshd.port}/no/such/folder`,
      '--identity',
      sshd.identityFile,
      '--data',
      path.join(dir.path, 'station2'),
    ]).done;
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ verified: false, error: { code: 'BAD_DESTINATION' } });
  });
});

describe('quire transfer (CLI) of a batch package', () => {
  it('refuses the package of a batch that is not completed, as the console does, and sends nothing', async () => {
    const dir = makeTempDir('quire-cli-transfer-rule-');
    try {
      const data = path.join(dir.path, 'station');
      const station = await createStation({
        dataDir: data,
        logger: silentLogger(),
        passwordHashParams: TEST_PASSWORD_HASH_PARAMS,
      });
      station.pipeline.store.insert({
        id: 'Q1',
        device: 'sim-1',
        title: 'Letter book Q1',
        accessionNumbers: ['ACC-Q1'],
        operator: 'omar',
        manifest: { batch_id: 'Q1', expected_pages: 2 },
        manifestSha256: 'a'.repeat(64),
        pagesExpected: 2,
      });
      station.pipeline.store.setStage('Q1', 'quarantined');
      const bag = makeBag(station.layout.packages, 'Q1', [10_000, 10_000]);
      await station.close();
      const dest = path.join(dir.path, 'ingest');
      mkdirSync(dest);
      const run = await runCli(['transfer', bag, `file://${dest}`, '--data', data]).done;
      expect(run.code).toBe(1);
      expect(run.json).toMatchObject({
        verified: false,
        error: {
          code: 'CONFLICT',
          message: "batch Q1 is quarantined: only a completed batch's package is sent",
        },
      });
      expect(existsSync(path.join(dest, 'Q1'))).toBe(false);
    } finally {
      dir.cleanup();
    }
  });
});
