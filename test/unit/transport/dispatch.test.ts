import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../electron/core/logger';
import { createHandlerTable } from '../../../electron/handlers/index';
import { dispatch, newSession, type HandlerTable } from '../../../electron/transport/dispatch';
import { makeTestStation } from '../../helpers/station';
import type { Station } from '../../../electron/station';

describe('dispatch', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let table: HandlerTable;
  const options = { logger: silentLogger(), validateOutput: true };

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation());
    table = createHandlerTable(station);
  });
  afterEach(async () => dispose());

  it('answers station.info from the real core', async () => {
    const result = await dispatch(
      table,
      'station.info',
      {},
      { session: newSession(), transport: 'test' },
      options,
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect((result.output as { dataDir: string }).dataDir).toBe(station.layout.root);
  });

  it('rejects an unknown command before any handler runs', async () => {
    const spy = vi.fn();
    const result = await dispatch(
      { ...table, 'station.info': spy } as HandlerTable,
      'station.nope',
      {},
      { session: newSession(), transport: 'test' },
      options,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(spy).not.toHaveBeenCalled();
  });

  it('rejects a bad payload with every issue and never calls the handler', async () => {
    const spy = vi.fn();
    const result = await dispatch(
      { ...table, 'station.info': spy } as HandlerTable,
      'station.info',
      { extra: 1 },
      { session: newSession(), transport: 'test' },
      options,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    if (!result.ok) expect(result.error.issues?.length).toBeGreaterThan(0);
    expect(spy).not.toHaveBeenCalled();
  });

  it('reports a handler whose output breaks the contract', async () => {
    const broken = { ...table, 'station.info': () => ({ nope: true }) } as unknown as HandlerTable;
    const result = await dispatch(
      broken,
      'station.info',
      {},
      { session: newSession(), transport: 'test' },
      options,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_OUTPUT' } });
  });
});
