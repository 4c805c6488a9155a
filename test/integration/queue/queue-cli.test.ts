import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/logger';
import { createStation } from '../../../electron/station';
import { runCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';
import { sqliteStore } from '../../helpers/queue-harness';

describe('quire queue list|show|retry|retry-all|cancel on a data folder', () => {
  const dir = makeTempDir();
  afterEach(() => undefined);

  it('lists, shows, retries and cancels jobs, with clear errors', async () => {
    const station = await createStation({ dataDir: dir.path, logger: silentLogger() });
    const now = Date.now();
    const quarantined = sqliteStore(station).insert(
      { queue: 'io', type: 'x', payload: { n: 1 }, maxAttempts: 1, availableAt: now },
      now,
    ).job;
    const leased = sqliteStore(station).lease('io', 'w', now, 60_000)!;
    sqliteStore(station).fail(
      quarantined.id,
      leased.leaseToken!,
      now,
      { cls: 'fatal', message: 'checksum mismatch', stack: null },
      null,
    );
    const waiting = sqliteStore(station).insert(
      { queue: 'io', type: 'x', payload: { n: 2 }, maxAttempts: 3, availableAt: now + 60_000 },
      now,
    ).job;
    await station.close();
    const data = ['--data', dir.path];

    const list = await runCli(['queue', 'list', '--state', 'quarantined', ...data]).done;
    expect(list.code).toBe(0);
    expect(list.json).toMatchObject({
      total: 1,
      items: [{ id: quarantined.id, lastError: 'checksum mismatch' }],
    });

    const show = await runCli(['queue', 'show', quarantined.id, ...data]).done;
    expect(show.json).toMatchObject({
      id: quarantined.id,
      attempts: [{ outcome: 'quarantined', error: 'checksum mismatch' }],
    });

    const retryAll = await runCli(['queue', 'retry-all', 'io', ...data]).done;
    expect(retryAll.json).toMatchObject([{ id: quarantined.id, state: 'waiting' }]);

    const cancel = await runCli(['queue', 'cancel', waiting.id, ...data]).done;
    expect(cancel.json).toMatchObject({ id: waiting.id, state: 'cancelled' });

    const again = await runCli(['queue', 'cancel', waiting.id, ...data]).done;
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({ error: { code: 'CONFLICT' } });
    const missing = await runCli(['queue', 'show', '00000000-0000-0000-0000-000000000000', ...data]).done;
    expect(missing.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
    dir.cleanup();
  });
});
