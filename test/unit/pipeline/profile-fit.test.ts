import { describe, expect, it } from 'vitest';
import type { DeviceCapabilitiesWire } from '../../../shared/contract/index';
import { profileMisfits, profileRefusal } from '../../../electron/pipeline/profile-fit';

const FLATBED_PNG: DeviceCapabilitiesWire = {
  sources: ['flatbed'],
  modes: ['color', 'gray'],
  bitDepths: [8],
  resolutions: [75, 150, 300, 600],
  resolutionRange: null,
  formats: ['png', 'jpeg'],
  maxArea: { widthMm: 216, heightMm: 297 },
};

describe('a profile against what the scanner can do', () => {
  it('fits when every setting is among the scanner’s', () => {
    expect(profileMisfits({ dpi: 300, mode: 'gray', bitDepth: 8, source: 'flatbed' }, FLATBED_PNG)).toEqual(
      [],
    );
  });

  it('names every setting that does not fit, and the scanner’s limits', () => {
    const refusal = profileRefusal(
      'reading-room',
      { dpi: 400, mode: 'bw', bitDepth: 1, source: 'feeder' },
      FLATBED_PNG,
    );
    expect(refusal?.code).toBe('INVALID_INPUT');
    expect(refusal?.message).toBe(
      'reading-room cannot scan this profile (400 dpi, bw mode, 1-bit depth, the feeder). Its limits: ' +
        'resolutions 75, 150, 300, 600 dpi; modes color, gray; bit depths 8; sources flatbed; formats png, jpeg',
    );
  });

  it('takes any dpi within a range the scanner accepts', () => {
    const ranged = { ...FLATBED_PNG, resolutionRange: { min: 50, max: 1200 } };
    expect(profileMisfits({ dpi: 1000, mode: 'gray', bitDepth: 8 }, ranged)).toEqual([]);
    expect(profileMisfits({ dpi: 2400, mode: 'gray', bitDepth: 8 }, ranged)).toEqual(['2400 dpi']);
  });

  it('refuses a scanner that offers only lossy formats unless the profile allows lossy masters', () => {
    const lossy = { ...FLATBED_PNG, formats: ['jpeg' as const] };
    expect(profileMisfits({ dpi: 300, mode: 'gray', bitDepth: 8 }, lossy)).toHaveLength(1);
    expect(profileMisfits({ dpi: 300, mode: 'gray', bitDepth: 8, allowLossy: true }, lossy)).toEqual([]);
  });

  it('refuses a scanner that offers only PDF, which QC and derivatives cannot read, lossy or not', () => {
    const pdf = { ...FLATBED_PNG, formats: ['pdf' as const] };
    expect(profileMisfits({ dpi: 300, mode: 'gray', bitDepth: 8, allowLossy: true }, pdf)).toEqual([
      'a master format this station can check (it offers only PDF, which QC and derivatives cannot read)',
    ]);
  });

  it('judges nothing while the scanner has not described itself', () => {
    expect(profileRefusal('x', { dpi: 9999, mode: 'gray', bitDepth: 8 }, null)).toBeNull();
  });
});
