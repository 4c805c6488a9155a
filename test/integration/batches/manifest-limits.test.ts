import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BRIDGE_PROTOCOL_PREFIX, commands } from '../../../shared/contract/index';
import { MANIFEST_LIMITS } from '../../../shared/domain/manifest';
import type { Station } from '../../../electron/station';
import { stationEndpoint } from '../../../electron/transport/station-endpoint';
import { startBridge, type Bridge } from '../../../electron/transport/ws-bridge';
import { connectBridge } from '../../helpers/bridge-client';
import { stationWithCallers, type ContractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';

/** A value nested `depth` levels deep: {"a":{"a":…}}. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('manifest limits: one bad manifest never breaks anyone else', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let call: ContractCallers;

  beforeEach(async () => {
    ({ station, dispose, call } = await stationWithCallers());
  });
  afterEach(async () => dispose());

  const listOutput = commands['batches.list'].output;

  it('quarantines a manifest with expected_pages 0 under its id, and every list still validates', async () => {
    const created = await call.operator('batches.create', {
      manifest: exampleManifest({ batch_id: 'ZERO-PAGES', expected_pages: 0, file_count: 0 }),
    });
    expect(created).toMatchObject({ ok: true, output: { batch: { id: 'ZERO-PAGES', pagesExpected: null } } });
    const list = await call.operator('batches.list', {});
    expect(list).toMatchObject({ ok: true });
    if (list.ok) {
      expect(listOutput.safeParse(list.output).success).toBe(true);
      expect((list.output as { items: { id: string; stage: string }[] }).items).toEqual([
        expect.objectContaining({ id: 'ZERO-PAGES', stage: 'quarantined' }),
      ]);
    }
    expect((await call.operator('quarantine.list', {})).ok).toBe(true);
  });

  it('stores an invalid manifest under its id in a form every list accepts', async () => {
    const created = await call.operator('batches.create', {
      manifest: exampleManifest({
        batch_id: 'ODD-FIELDS',
        device: '../../etc',
        expected_pages: -3.5,
        descriptive: { title: '   ', accession_numbers: [1, '', '  A-1  ', null] },
      }),
    });
    expect(created).toMatchObject({ ok: true, output: { batch: { id: 'ODD-FIELDS', pagesExpected: null } } });
    const list = await call.operator('batches.list', {});
    expect(list.ok && listOutput.safeParse(list.output).success).toBe(true);
  });

  it('reads a row stored before manifests were bounded (pages_expected 0) without breaking the list', async () => {
    await call.operator('batches.create', {
      manifest: exampleManifest({ batch_id: 'OLD-ROW', expected_pages: 'x' }),
    });
    station.db.prepare("UPDATE batches SET pages_expected = 0 WHERE id = 'OLD-ROW'").run();
    const list = await call.operator('batches.list', {});
    expect(list).toMatchObject({
      ok: true,
      output: { items: [expect.objectContaining({ pagesExpected: null })] },
    });
  });

  it.each([
    ['null', null, /manifest is null/],
    ['an array', [exampleManifest()], /manifest is an array/],
    ['a string', 'MS-1', /manifest is a string/],
    ['nested 10,000 deep', { ...exampleManifest(), deep: nested(10_000) }, /nested deeper than 8 levels/],
  ])('answers %s with INVALID_INPUT naming the problem, not INTERNAL', async (_what, manifest, message) => {
    for (const command of ['batches.create', 'batches.validate'])
      expect(await call.operator(command, { manifest })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: expect.stringMatching(message) },
      });
    expect(station.pipeline.store.list({ offset: 0, limit: 10 }).total).toBe(0);
  });

  it('refuses a manifest over the size limit and stores nothing of it', async () => {
    const accessions = Array.from({ length: 1000 }, (_, i) => `${i}-${'x'.repeat(300)}`);
    const manifest = exampleManifest(
      {
        batch_id: 'HUGE',
        descriptive: { ...(exampleManifest().descriptive as object), accession_numbers: accessions },
      },
      { recompute: false },
    );
    const result = await call.operator('batches.create', { manifest });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/larger than 256 KiB/) },
    });
    expect(await call.operator('batches.get', { batchId: 'HUGE' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('names an over-long string and an over-long array by their path', async () => {
    const longTitle = exampleManifest(
      { descriptive: { title: 'x'.repeat(MANIFEST_LIMITS.maxStringLength + 1) } },
      { recompute: false },
    );
    expect(await call.operator('batches.validate', { manifest: longTitle })).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/descriptive\.title is 10001 characters/),
      },
    });
    const manyItems = exampleManifest(
      { extra: new Array(MANIFEST_LIMITS.maxArrayLength + 1).fill(0) },
      { recompute: false },
    );
    expect(await call.operator('batches.validate', { manifest: manyItems })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/extra has 1001 items/) },
    });
  });

  describe('over the real bridge', () => {
    let bridge: Bridge;
    beforeEach(async () => {
      bridge = await startBridge(stationEndpoint(station));
    });
    afterEach(async () => bridge.close());

    it('answers a deeply nested manifest (within the message limit) with INVALID_INPUT', async () => {
      const client = await connectBridge(bridge.wsUrl, bridge.token);
      await client.invoke('auth.signIn', { username: 'omar', password: 'operator passphrase' });
      const deep = `{"batch_id":"DEEP","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const reply = await client.sendRaw(
        `{"type":"invoke","id":7,"command":"batches.create","input":{"manifest":${deep}}}`,
        7,
      );
      expect(reply).toMatchObject({
        type: 'result',
        result: {
          ok: false,
          error: { code: 'INVALID_INPUT', message: expect.stringMatching(/nested deeper/) },
        },
      });
      client.close();
    });

    it('closes a connection that sends a message over 1 MiB, and keeps serving others', async () => {
      const ws = new WebSocket(bridge.wsUrl, [BRIDGE_PROTOCOL_PREFIX + bridge.token]);
      await new Promise((resolve) => ws.once('open', resolve));
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.send(
        JSON.stringify({
          type: 'invoke',
          id: 1,
          command: 'batches.validate',
          input: { manifest: { x: 'y'.repeat(1024 * 1024) } },
        }),
      );
      expect(await closed).toBe(1009);
      const other = await connectBridge(bridge.wsUrl, bridge.token);
      expect((await other.invoke('station.health', {})).ok).toBe(true);
      other.close();
    });
  });
});
