import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCmsEmulator } from '../../../electron/catalog/emulator';
import type { Station } from '../../../electron/station';
import { makeTestStation } from '../../helpers/station';

/** A loopback address nothing listens on: bound, then closed. */
async function deadAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const noWait = { retries: 1, sleep: async () => {} };

describe('a catalog sync that cannot reach the API says so', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  beforeEach(async () => ({ station, dispose } = await makeTestStation()));
  afterEach(async () => dispose());

  it('fails the run with "the collection API did not answer at …", not "completed"', async () => {
    const api = await deadAddress();
    const run = await station.catalog.sync(api, ['OBJ-000001', 'OBJ-000002'], noWait);
    expect(run.state).toBe('failed');
    expect(run.error).toBe(`the collection API did not answer at ${api}`);
    expect(run.deadLetters).toBe(2);
  });

  it('still completes when the API answered, even with some failed records', async () => {
    const emulator = await startCmsEmulator({ count: 3 });
    try {
      const run = await station.catalog.sync(emulator.url, ['OBJ-000001', 'OBJ-999999'], noWait);
      expect(run.state).toBe('completed');
      expect(run.deadLetters).toBe(1);
    } finally {
      await emulator.close();
    }
  });
});
