import type { DeviceCapabilitiesWire, ScanSource } from '../../shared/contract/index';
import type { BatchManifest } from '../../shared/domain/manifest';
import { invalidInput, type StationError } from '../core/station-error';

/** A batch's scan profile as far as a scanner's capabilities decide it. */
export interface RequestedProfile {
  dpi: number;
  mode: 'color' | 'gray' | 'bw';
  bitDepth: 1 | 8 | 16;
  source?: ScanSource;
  allowLossy?: boolean;
}

const LOSSLESS = ['tiff', 'png'];
/** What QC, derivatives and OCR can read: PDF masters cannot complete a batch here. */
const DECODABLE = ['tiff', 'png', 'jpeg'];

/** The scanner's limits in words, for the operator who must choose another profile. */
export function describeLimits(c: DeviceCapabilitiesWire): string {
  const range = c.resolutionRange ? `any of ${c.resolutionRange.min}–${c.resolutionRange.max} dpi` : null;
  const steps = c.resolutions.length ? `${c.resolutions.join(', ')} dpi` : null;
  return [
    `resolutions ${range ?? steps ?? 'none reported'}`,
    `modes ${c.modes.join(', ') || 'none reported'}`,
    `bit depths ${c.bitDepths.join(', ') || 'none reported'}`,
    `sources ${c.sources.join(', ') || 'none reported'}`,
    `formats ${c.formats.join(', ') || 'none reported'}`,
  ].join('; ');
}

/** What of the profile the scanner cannot do, each in words; empty when it can do all of it. */
export function profileMisfits(profile: RequestedProfile, c: DeviceCapabilitiesWire): string[] {
  const misfits: string[] = [];
  const inRange =
    c.resolutionRange && profile.dpi >= c.resolutionRange.min && profile.dpi <= c.resolutionRange.max;
  if (!inRange && !c.resolutions.includes(profile.dpi)) misfits.push(`${profile.dpi} dpi`);
  if (!c.modes.includes(profile.mode)) misfits.push(`${profile.mode} mode`);
  if (!c.bitDepths.includes(profile.bitDepth)) misfits.push(`${profile.bitDepth}-bit depth`);
  if (profile.source && !c.sources.includes(profile.source)) misfits.push(`the ${profile.source}`);
  if (!c.formats.some((f) => LOSSLESS.includes(f)) && !profile.allowLossy)
    misfits.push('lossless masters (it offers only lossy formats; the profile must allow lossy masters)');
  else if (!c.formats.some((f) => DECODABLE.includes(f)))
    misfits.push(
      'a master format this station can check (it offers only PDF, which QC and derivatives cannot read)',
    );
  return misfits;
}

/**
 * A batch is refused before anything starts when its scanner, as it last described itself,
 * cannot honour the profile: the refusal names what does not fit and the scanner's limits.
 * A scanner never reached yet has no capabilities to judge by; capture checks again then.
 */
export function profileRefusal(
  device: string,
  profile: RequestedProfile,
  capabilities: DeviceCapabilitiesWire | null | undefined,
): StationError | null {
  if (!capabilities) return null;
  const misfits = profileMisfits(profile, capabilities);
  if (misfits.length === 0) return null;
  return invalidInput(
    `${device} cannot scan this profile (${misfits.join(', ')}). Its limits: ${describeLimits(capabilities)}`,
  );
}

/** The refusal for a batch manifest on the fleet's device it names (its last known capabilities). */
export function profileRefusalFor(
  devices: { list(): { name: string; capabilities?: DeviceCapabilitiesWire | null }[] },
  manifest: BatchManifest,
): StationError | null {
  const device = devices.list().find((d) => d.name === manifest.device);
  return profileRefusal(manifest.device, requestedProfile(manifest), device?.capabilities);
}

export function requestedProfile(manifest: BatchManifest): RequestedProfile {
  const p = manifest.scanner_profile;
  return {
    dpi: p.dpi,
    mode: p.mode,
    bitDepth: p.bit_depth,
    ...(p.source ? { source: p.source } : {}),
    allowLossy: p.allow_lossy ?? false,
  };
}
