import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectBridge, type BridgeTestClient } from '../../helpers/bridge-client';
import { runCli } from '../../helpers/cli';
import { startPostgres, withoutPostgres, type PostgresServer } from '../../helpers/postgres-server';
import { emptyLabDatabase } from '../../helpers/lab-postgres';
import { makeTempDir } from '../../helpers/temp-dir';
import { silentLogger } from '../../../electron/core/logger';
import { createStation } from '../../../electron/station';
import { newSession } from '../../../electron/transport/dispatch';
import { TEST_PASSWORD_HASH_PARAMS } from '../../helpers/station';

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

/** Two `quire serve` processes with their own data folders, on one lab database. */
describe.skipIf(withoutPostgres())('quire serve --lab-db: the lab’s accounts at every station', () => {
  let server: PostgresServer;
  const children: ChildProcess[] = [];
  const clients: BridgeTestClient[] = [];
  const dirs: Array<{ cleanup: () => void }> = [];

  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  beforeEach(async () => {
    await emptyLabDatabase(server);
  });
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await Promise.all(
      children.splice(0).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('close', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    dirs.splice(0).forEach((d) => d.cleanup());
  });
  afterAll(async () => server?.dispose(), 60_000);

  const serve = async (station: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const dir = makeTempDir('quire-serve-');
    dirs.push(dir);
    const run = runCli(
      ['serve', '--data', dir.path, '--simulators', '0', '--escl-simulators', '0', '--port', '0', ...args],
      { QUIRE_STATION: station, QUIRE_LAB_DATABASE: '', QUIRE_LAB_REDIS: '', ...env },
    );
    children.push(run.child);
    const ready = JSON.parse(await firstLine(run.child)) as { url: string; port: number };
    const token = decodeURIComponent(ready.url.split('#token=')[1]!);
    const client = await connectBridge(`ws://127.0.0.1:${ready.port}/bridge`, token);
    clients.push(client);
    return client;
  };

  it('people set up at one station sign in at the other; disabling there ends the session here', async () => {
    const a = await serve('st-a', ['--lab-db', server.url]);
    // The other station takes the lab database from the environment.
    const b = await serve('st-b', [], { QUIRE_LAB_DATABASE: server.url });
    const ada = { username: 'ada', password: 'correct horse battery' };
    const otto = { username: 'otto', password: 'operator passphrase' };

    expect((await a.invoke('auth.setup', { ...ada, displayName: 'Ada' })).ok).toBe(true);
    expect(
      (await a.invoke('auth.accounts.create', { ...otto, displayName: 'Otto', role: 'operator' })).ok,
    ).toBe(true);
    expect(await b.invoke('auth.signIn', otto)).toMatchObject({
      ok: true,
      output: { user: { username: 'otto' } },
    });
    expect((await b.invoke('settings.get', {})).ok).toBe(true);

    expect((await a.invoke('auth.accounts.setDisabled', { username: 'otto', disabled: true })).ok).toBe(true);
    expect(await b.invoke('settings.get', {})).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(/otto is disabled/) },
    });
  });

  it('quire lab import moves a single station’s people into the lab once; a clashing name exits 1 naming it', async () => {
    const single = async (supervisor: string) => {
      const dir = makeTempDir('quire-single-');
      dirs.push(dir);
      const station = await createStation({
        dataDir: dir.path,
        logger: silentLogger(),
        passwordHashParams: TEST_PASSWORD_HASH_PARAMS,
        labDatabase: null,
        lab: null,
      });
      await station.auth.setup(newSession(), {
        username: supervisor,
        displayName: supervisor,
        password: 'correct horse battery',
      });
      await station.auth.createAccount({
        username: 'otto',
        displayName: 'Otto',
        password: 'operator passphrase',
        role: 'operator',
      });
      await station.close();
      return dir.path;
    };
    const first = await single('ada');
    const run = (data: string, station: string) =>
      runCli(['lab', 'import', '--data', data, '--station', station, '--lab-db', server.url]).done;
    expect(await run(first, 'st-a')).toMatchObject({
      code: 0,
      json: { accounts: { station: 2, imported: 2, alreadyThere: 0 } },
    });
    // An import happens once; the people of a second station whose "otto" is someone else are
    // refused, naming the clash, before anything of that station is written.
    expect(await run(first, 'st-a')).toMatchObject({
      code: 1,
      json: { error: { code: 'LAB_IMPORT_REFUSED', message: expect.stringMatching(/once/) } },
    });
    expect(await run(await single('bea'), 'st-b')).toMatchObject({
      code: 1,
      json: {
        error: { code: 'LAB_IMPORT_REFUSED', message: expect.stringMatching(/otto: the lab already has/) },
      },
    });
  });

  it('refuses a lab database URL that is not postgres://, saying what it expects', async () => {
    const dir = makeTempDir('quire-serve-');
    dirs.push(dir);
    const run = await runCli(
      ['serve', '--data', dir.path, '--simulators', '0', '--lab-db', 'http://lab-db:5432/x'],
      {
        QUIRE_STATION: 'st-a',
      },
    ).done;
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/--lab-db takes a postgres:\/\/user@host:port\/database URL/);
  });
});
