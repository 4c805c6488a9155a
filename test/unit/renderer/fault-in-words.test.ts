import { describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../../shared/contract/index';
import { faultInWords } from '../../../renderer/src/state/attention';

const held = (code: string | null): DeviceStatus =>
  ({
    state: 'JAMMED',
    alert: code ? { device: 'sane-1', code, message: '…', job: 'B1', at: '2026-12-01T00:00:00Z' } : null,
  }) as unknown as DeviceStatus;

describe('what the banner says a held scanner did', () => {
  it('names the fault the alert carries, not "jammed" for every held scanner', () => {
    expect(faultInWords(held('ADF_JAM'))).toBe('is jammed');
    expect(faultInWords(held('COVER_OPEN'))).toBe('has its cover open');
    expect(faultInWords(held('SHEET_IN_DOUBT'))).toBe('stopped mid-sheet: check the feeder');
    expect(faultInWords(held(null))).toBe('is jammed');
  });
});
