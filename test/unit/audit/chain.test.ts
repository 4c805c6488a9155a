import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../shared/contract/index';
import { eventHash, GENESIS_HASH, verifyChain } from '../../../electron/audit/chain';

function chainOf(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const body = {
      seq,
      id: `id-${seq}`,
      type: 'capture' as const,
      at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
      outcome: 'success',
      detail: `page ${seq}`,
      object: `B1/masters/page-000${seq}.tif`,
      agents: { software: 'Quire 0.1.0', station: 'Station 1', person: 'omar' },
      prevHash: prev,
    };
    const hash = eventHash(body);
    events.push({ ...body, hash });
    prev = hash;
  }
  return events;
}
const headOf = (events: AuditEvent[]) => ({ seq: events.length, hash: events.at(-1)!.hash });

describe('audit hash chain verification', () => {
  it('accepts an untouched chain and an empty log', () => {
    const events = chainOf(4);
    expect(verifyChain(events, headOf(events))).toEqual({
      ok: true,
      checked: 4,
      firstBrokenSeq: null,
      reason: null,
    });
    expect(verifyChain([], undefined)).toMatchObject({ ok: true, checked: 0 });
  });

  it('finds an edited event by its sequence number', () => {
    const events = chainOf(4);
    events[2] = { ...events[2]!, outcome: 'failure' };
    expect(verifyChain(events, headOf(events))).toMatchObject({ ok: false, firstBrokenSeq: 3, checked: 2 });
  });

  it('finds an edited event whose own hash was recomputed, at the next event', () => {
    const events = chainOf(4);
    const { hash: _old, ...body } = { ...events[1]!, detail: 'forged' };
    events[1] = { ...body, hash: eventHash(body) };
    expect(verifyChain(events, headOf(events))).toMatchObject({
      ok: false,
      firstBrokenSeq: 3,
      reason: expect.stringMatching(/does not follow/),
    });
  });

  it('finds a deleted event in the middle and a cut-off tail', () => {
    const events = chainOf(5);
    const head = headOf(events);
    expect(verifyChain([...events.slice(0, 2), ...events.slice(3)], head)).toMatchObject({
      ok: false,
      firstBrokenSeq: 3,
      reason: expect.stringMatching(/missing/),
    });
    expect(verifyChain(events.slice(0, 3), head)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/truncated/),
    });
  });

  it('finds any change to any field of any event (property)', () => {
    const fields = [
      'id',
      'type',
      'at',
      'outcome',
      'detail',
      'object',
      'prevHash',
      'software',
      'person',
    ] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.constantFrom(...fields),
        fc.string({ minLength: 1 }),
        (i, field, junk) => {
          const events = chainOf(6);
          const e = events[i]!;
          const changed: AuditEvent =
            field === 'software' || field === 'person'
              ? { ...e, agents: { ...e.agents, [field]: e.agents[field] + junk } }
              : { ...e, [field]: (e[field] as string) + junk };
          events[i] = changed;
          const result = verifyChain(events, headOf(events));
          expect(result.ok).toBe(false);
          expect(result.firstBrokenSeq).toBe(i + 1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
