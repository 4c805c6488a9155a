import { describe, expect, it } from 'vitest';
import { BatchId } from '../../../shared/contract/batches';
import { isSafeId, SafeId } from '../../../shared/domain/safe-id';
import { assertSafeId } from '../../../electron/storage/safe-id';
import { dataDirLayout } from '../../../electron/storage/data-dir';

describe('safe ids (names that become folders on every system)', () => {
  const windowsReserved = [
    'CON',
    'con',
    'Prn',
    'aux',
    'NUL',
    'nul.txt',
    'con.tar.gz',
    'COM1',
    'com9',
    'com0',
    'LPT1',
    'lpt9.log',
    'Lpt5',
  ];

  it.each(windowsReserved)('refuses the Windows device name %s on every platform', (id) => {
    expect(isSafeId(id)).toBe(false);
    const parsed = SafeId.safeParse(id);
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.error.issues[0]?.message).toMatch(/reserved by Windows/);
    expect(() => assertSafeId(id, 'batch id')).toThrow(/reserved by Windows/);
  });

  it.each(['b1.', 'batch..', 'b1 ', ' b1', 'b 1'])('refuses %j, which Windows would alter', (id) => {
    expect(isSafeId(id)).toBe(false);
    expect(BatchId.safeParse(id).success).toBe(false);
  });

  it('names the trailing dot', () => {
    const parsed = BatchId.safeParse('b1.');
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.error.issues[0]?.message).toMatch(/end with "\."/);
  });

  it.each(['console', 'null', 'com10', 'lpt', 'auxiliary', 'nul_1', 'con-2', 'b1.tif', 'COM-1', 'a.con'])(
    'accepts %s, which only looks like a device name',
    (id) => {
      expect(isSafeId(id)).toBe(true);
      expect(SafeId.parse(id)).toBe(id);
    },
  );

  it('keeps refusing ids that climb out of their folder or use other characters', () => {
    for (const id of ['.', '..', '', 'a/b', 'a\\b', 'x'.repeat(65), 'é']) expect(isSafeId(id)).toBe(false);
  });

  it('never turns a reserved id into a path in the data folder', () => {
    const layout = dataDirLayout('/data');
    expect(() => layout.batchStaging('NUL')).toThrow(/invalid batch id "NUL"/);
    expect(() => layout.batchPackage('aux.txt')).toThrow(/reserved by Windows/);
  });
});
