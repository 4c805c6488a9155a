import { describe, expect, it } from 'vitest';
import type { BatchManifest } from '../../../shared/domain/manifest';
import { vacantSlots } from '../../../electron/pipeline/page-ledger';
import { missingPages } from '../../../electron/records/batch-records';

const untilEmpty = { expected_pages: 'until_empty' } as BatchManifest;
const counted = { expected_pages: 5 } as BatchManifest;

describe('the slots a capture must fill', () => {
  it('for a feeder read until empty, every slot up to the highest the batch reached, then the open end', () => {
    expect(vacantSlots(untilEmpty, new Set([1, 2, 3]))).toEqual({ slots: [], openFrom: 4 });
    // Page 5 arrived and was not kept (extent 5): it is owed before the open end.
    expect(vacantSlots(untilEmpty, new Set([1, 2, 3]), undefined, 5)).toEqual({ slots: [4, 5], openFrom: 6 });
    expect(vacantSlots(untilEmpty, new Set([1, 3]), undefined, 2)).toEqual({ slots: [2], openFrom: 4 });
  });

  it('for a counted batch or a chosen recapture, the extent changes nothing', () => {
    expect(vacantSlots(counted, new Set([1, 2]), undefined, 4)).toEqual({ slots: [3, 4, 5], openFrom: null });
    expect(vacantSlots(untilEmpty, new Set([1, 2]), [2, 4], 6)).toEqual({ slots: [4], openFrom: null });
  });
});

describe('the missing pages a review lists', () => {
  const quarantine = {
    reason: 'Checksum mismatch',
    stage: 'capturing' as const,
    validationIssues: [],
    qcFindings: [],
    checksumMismatches: [{ page: 4, expected: 'a', actual: 'b' }],
    protocolErrors: [],
    attempts: [],
  };

  it('include a last page that failed, for a batch read until empty', () => {
    expect(missingPages(null, [1, 2, 3], quarantine)).toEqual([{ page: 4, why: 'failed its checksum' }]);
    expect(missingPages(null, [1, 2, 3], null, 5)).toEqual([
      { page: 4, why: 'not captured' },
      { page: 5, why: 'not captured' },
    ]);
    expect(missingPages(null, [1, 2, 3], null)).toEqual([]);
  });
});
