import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Station } from '../../../electron/station';
import { runCli } from '../../helpers/cli';
import { stationWithCallers, type ContractCallers } from '../../helpers/contract-caller';

describe('audit through the contract and the quire CLI', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let call: ContractCallers;

  beforeEach(async () => {
    ({ station, dispose, call } = await stationWithCallers());
    station.audit.record({
      type: 'capture',
      outcome: 'success',
      detail: 'page 1',
      object: 'B1/masters/page-0001.tif',
      person: 'omar',
    });
    station.audit.record({
      type: 'quarantine',
      outcome: 'quarantined',
      detail: 'QC failed',
      object: 'B1',
      person: 'system',
    });
  });
  afterEach(async () => dispose());

  it('lists with the new filters and reports the chain to an operator', async () => {
    expect(await call.operator('audit.list', { outcome: 'quarantined' })).toMatchObject({
      ok: true,
      output: { total: 1, items: [{ seq: 2, type: 'quarantine' }] },
    });
    expect(await call.operator('audit.list', { to: 'yesterday' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await call.operator('audit.verify', {})).toMatchObject({
      ok: true,
      output: { ok: true, checked: 2 },
    });
  });

  it('exports to a new file under the data folder and takes no path from the renderer', async () => {
    const result = (await call.operator('audit.export', { filter: { object: 'B1' } })) as {
      ok: true;
      output: { path: string; events: number };
    };
    expect(result).toMatchObject({ ok: true, output: { events: 2 } });
    expect(result.output.path.startsWith(path.join(station.layout.root, 'exports') + path.sep)).toBe(true);
    expect(readFileSync(result.output.path, 'utf8')).toContain('<premis:eventType');
    const escape = await call.operator('audit.export', { filter: {}, path: '/tmp/evil.xml' });
    expect(escape).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(existsSync('/tmp/evil.xml')).toBe(false);
  });

  it('quire audit verify exits 0 on an intact chain and 1 on an edited one; export never overwrites', async () => {
    const data = station.layout.root;
    await station.close();
    const ok = await runCli(['audit', 'verify', '--data', data]).done;
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, checked: 2 });

    const out = path.join(data, 'export.xml');
    const exported = await runCli(['audit', 'export', '--out', out, '--type', 'capture', '--data', data])
      .done;
    expect(exported.code).toBe(0);
    expect(exported.json).toMatchObject({ path: out, events: 1 });
    const again = await runCli(['audit', 'export', '--out', out, '--data', data]).done;
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({ error: { code: 'FILE_EXISTS' } });

    const db = new Database(path.join(data, 'quire.db'));
    db.exec('DROP TRIGGER audit_events_no_update');
    db.prepare("UPDATE audit_events SET agent_person = 'someone else' WHERE seq = 1").run();
    db.close();
    const broken = await runCli(['audit', 'verify', '--data', data]).done;
    expect(broken.code).toBe(1);
    expect(broken.json).toMatchObject({ ok: false, firstBrokenSeq: 1, error: { code: 'CHAIN_BROKEN' } });
  });
});
