import { describe, expect, it } from 'vitest';
import { BatchSummary } from '../../../shared/contract/batches';
import { MANIFEST_LIMITS, manifestShapeProblem } from '../../../shared/domain/manifest';
import { batchRecordFields, verifyManifest } from '../../../electron/pipeline/manifest/verify-manifest';
import { exampleManifest } from '../../helpers/manifest';

describe('manifest shape limits', () => {
  it('accepts the shipped example', () => {
    expect(manifestShapeProblem(exampleManifest())).toBeNull();
  });

  it.each([
    [null, /is null/],
    [[], /is an array/],
    [42, /is a number/],
    [undefined, /is a undefined|is an? undefined/],
    [
      { a: { b: { c: { d: { e: { f: { g: { h: {} } } } } } } } },
      /a\.b\.c\.d\.e\.f\.g\.h is nested deeper than 8/,
    ],
    [{ list: new Array(MANIFEST_LIMITS.maxArrayLength + 1).fill(1) }, /list has 1001 items/],
    [{ s: 'é'.repeat(MANIFEST_LIMITS.maxStringLength + 1) }, /s is 10001 characters long/],
    [Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i])), /has 201 fields/],
    [{ f: () => 1 }, /f is a function/],
  ])('names the problem with %j', (value, message) => {
    expect(manifestShapeProblem(value)).toMatch(message);
  });

  it('measures canonical UTF-8 bytes, so multi-byte text counts as what it costs', () => {
    // 10 fields of 9,000 three-byte characters: 270 KB of UTF-8 but only 90,000 UTF-16 units.
    const wide = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, '語'.repeat(9_000)]));
    expect(manifestShapeProblem(wide)).toMatch(/larger than 256 KiB/);
    const narrow = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${i}`, 'a'.repeat(9_000)]));
    expect(manifestShapeProblem(narrow)).toBeNull();
  });

  it('does not overflow the stack on a value nested a million deep', () => {
    let deep: unknown = {};
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(manifestShapeProblem({ deep })).toMatch(/nested deeper/);
    expect(() => verifyManifest({ deep })).toThrow(/nested deeper/);
  });
});

describe('the summary fields stored for any manifest', () => {
  const summaryOf = (manifest: Record<string, unknown>) =>
    BatchSummary.safeParse({
      id: 'B',
      stage: 'quarantined',
      pagesDone: 0,
      attempts: 0,
      createdAt: '',
      updatedAt: '',
      lastError: null,
      ...batchRecordFields(manifest),
    });

  it.each([
    { expected_pages: 0 },
    { expected_pages: -1 },
    { expected_pages: 2.5 },
    { expected_pages: 1e12 },
    { expected_pages: 'until_empty' },
    { expected_pages: '12' },
    { device: 42, operator: null, descriptive: 'not an object' },
    { descriptive: { title: 7, accession_numbers: 'A-1' } },
  ])('always fit BatchSummary: %j', (manifest) => {
    expect(summaryOf(manifest).success).toBe(true);
    expect(batchRecordFields(manifest).pagesExpected).toBeNull();
  });

  it('keeps what is usable and cuts the rest to the contract', () => {
    expect(
      batchRecordFields({
        device: '../../etc',
        expected_pages: 12,
        operator: '  omar  ',
        descriptive: { title: `  ${'t'.repeat(600)}  `, accession_numbers: [1, '', '  A-1  ', null] },
      }),
    ).toEqual({
      device: 'unknown',
      title: 't'.repeat(500),
      accessionNumbers: ['A-1'],
      pagesExpected: 12,
      operator: 'omar',
    });
    expect(batchRecordFields({ descriptive: { title: '   ' } }).title).toBe('(untitled)');
  });

  it('is returned with every check, valid or not', () => {
    const valid = verifyManifest(exampleManifest());
    expect(valid.record).toMatchObject({ device: 'sim-1', pagesExpected: 4 });
    const invalid = verifyManifest(exampleManifest({ expected_pages: 0 }));
    expect(invalid).toMatchObject({ ok: false, batchId: 'MS-1887-042', record: { pagesExpected: null } });
  });
});
