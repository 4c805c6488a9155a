import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchStage } from '../../../shared/contract/index';
import {
  cancelRefusal,
  decideRefusal,
  retryRefusal,
  type Actor,
} from '../../../electron/pipeline/batch-policy';
import type { Station } from '../../../electron/station';
import { stationWithCallers, type ContractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { sqliteStore } from '../../helpers/queue-harness';

const operator: Actor = { username: 'omar', role: 'operator' };
const supervisor: Actor = { username: 'sofia', role: 'supervisor' };
const batch = (stage: BatchStage) => ({ id: 'B-1', stage });

describe('the batch rules, as pure functions', () => {
  it('cancel: never a finished batch; a quarantined one only by a supervisor', () => {
    for (const stage of ['completed', 'rejected', 'cancelled'] as const)
      expect(cancelRefusal('B-1', batch(stage), supervisor)).toMatchObject({
        code: 'CONFLICT',
        message: `batch B-1 is already ${stage}; nothing to cancel`,
      });
    expect(cancelRefusal('B-1', batch('quarantined'), operator)).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('only a supervisor'),
    });
    expect(cancelRefusal('B-1', batch('quarantined'), supervisor)).toBeNull();
    for (const stage of ['validating', 'capturing', 'qc', 'derivatives', 'packaging'] as const)
      expect(cancelRefusal('B-1', batch(stage), operator)).toBeNull();
    expect(cancelRefusal('B-9', null, supervisor)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('retry: never a finished or quarantined batch, whoever asks; a job of no batch is the queue’s affair', () => {
    for (const stage of ['completed', 'rejected', 'cancelled'] as const)
      expect(retryRefusal(batch(stage))).toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining(`is ${stage}: a finished batch is not run again`),
      });
    expect(retryRefusal(batch('quarantined'))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('a supervisor decides there'),
    });
    expect(retryRefusal(batch('capturing'))).toBeNull();
    expect(retryRefusal(batch('capturing'), { id: 'J-1', workflow: 'running' })).toBeNull();
    expect(retryRefusal(batch('capturing'), { id: 'J-1', workflow: 'failed' })).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('job J-1 is a step of an earlier run of batch B-1'),
    });
    expect(retryRefusal(null)).toBeNull();
  });

  it('decide: a supervisor, on a quarantined batch', () => {
    expect(decideRefusal('B-1', batch('quarantined'), operator)).toMatchObject({ code: 'FORBIDDEN' });
    expect(decideRefusal('B-1', batch('qc'), supervisor)).toMatchObject({
      code: 'CONFLICT',
      message: 'batch B-1 is qc, not quarantined',
    });
    expect(decideRefusal('B-1', batch('quarantined'), supervisor)).toBeNull();
  });
});

describe('cancelling a batch through the contract', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let call: ContractCallers;

  beforeEach(async () => {
    // No workers: the batches stay exactly where the test puts them.
    ({ station, dispose, call } = await stationWithCallers());
  });
  afterEach(async () => dispose());

  const cancelEvents = (batchId: string) =>
    station.audit.forObject(batchId).filter((e) => e.type === 'appraisal' && e.outcome === 'cancelled');

  it('an operator may not cancel a quarantined batch; a supervisor may, and the audit log names them', async () => {
    // An invalid manifest with a usable id is quarantined at once.
    await station.pipeline.create(exampleManifest({ batch_id: 'Q-1', expected_pages: 'many' }), null);
    expect(station.pipeline.store.summary('Q-1')!.stage).toBe('quarantined');

    const refused = await call.operator('batches.cancel', { batchId: 'Q-1', reason: 'wrong box' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringContaining('only a supervisor') },
    });
    expect(station.pipeline.store.summary('Q-1')!.stage).toBe('quarantined');
    expect(cancelEvents('Q-1')).toEqual([]);

    const changes: unknown[] = [];
    station.events.subscribe((e) => {
      if (e.name === 'quarantine.changed') changes.push(e.payload);
    });
    const done = await call.supervisor('batches.cancel', { batchId: 'Q-1', reason: 'wrong box' });
    expect(done).toMatchObject({ ok: true, output: { id: 'Q-1', stage: 'cancelled' } });
    expect(cancelEvents('Q-1')).toEqual([
      expect.objectContaining({
        object: 'Q-1',
        detail: expect.stringContaining('wrong box'),
        agents: expect.objectContaining({ person: 'sofia' }),
      }),
    ]);
    expect(changes).toEqual([{ batchId: 'Q-1', quarantined: false, reason: null }]);
    expect(station.audit.verify().ok).toBe(true);
  });

  it('an operator cancels a batch under way: its waiting jobs are cancelled and the event names the operator and the reason', async () => {
    await station.pipeline.create(exampleManifest({ batch_id: 'C-1' }), null);
    const done = await call.operator('batches.cancel', { batchId: 'C-1', reason: 'pages out of order' });
    expect(done).toMatchObject({ ok: true, output: { stage: 'cancelled' } });
    const states = sqliteStore(station)
      .list({ batchId: 'C-1' })
      .items.map((j) => j.state);
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['cancelled']));
    expect(cancelEvents('C-1')).toEqual([
      expect.objectContaining({
        detail: expect.stringContaining('pages out of order'),
        agents: expect.objectContaining({ person: 'omar' }),
      }),
    ]);

    const again = await call.supervisor('batches.cancel', { batchId: 'C-1', reason: 'twice' });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(cancelEvents('C-1')).toHaveLength(1);
  });

  it('decide refuses a batch that is not quarantined before looking at anything else', async () => {
    await station.pipeline.create(exampleManifest({ batch_id: 'D-1' }), null);
    const refused = await call.supervisor('quarantine.decide', {
      batchId: 'D-1',
      decision: 'release',
      reason: 'Checksum mismatch',
      note: '',
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringContaining('not quarantined') },
    });
  });
});
