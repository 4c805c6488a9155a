import type { DeviceCapabilitiesWire } from '../../../shared/contract/index';

/**
 * What the New batch form offers for the chosen scanner: only what it said it can do. Before a
 * scanner has described itself (never reached), everything Quire knows is offered and the
 * station checks again when the batch is created.
 */
const ALL_MODES = [
  { value: 'color', label: 'colour' },
  { value: 'gray', label: 'greyscale' },
  { value: 'bw', label: 'bitonal' },
] as const;
const ALL_DEPTHS = [1, 8, 16] as const;
const SOURCE_LABELS = { feeder: 'feeder (ADF)', duplex: 'feeder, both sides', flatbed: 'flatbed' } as const;

export function modeChoices(c: DeviceCapabilitiesWire | null | undefined) {
  return c ? ALL_MODES.filter((m) => c.modes.includes(m.value)) : [...ALL_MODES];
}

export function depthChoices(c: DeviceCapabilitiesWire | null | undefined): number[] {
  return c ? ALL_DEPTHS.filter((d) => c.bitDepths.includes(d)) : [...ALL_DEPTHS];
}

export function sourceChoices(c: DeviceCapabilitiesWire | null | undefined) {
  return (c?.sources ?? []).map((s) => ({ value: s, label: SOURCE_LABELS[s] }));
}

/** Resolutions to suggest (the scanner's own steps). */
export function resolutionChoices(c: DeviceCapabilitiesWire | null | undefined): number[] {
  return c?.resolutions ?? [];
}

/** Why the chosen dpi does not fit the scanner, or null. */
export function dpiProblem(c: DeviceCapabilitiesWire | null | undefined, dpi: number): string | null {
  if (!c || !Number.isInteger(dpi)) return null;
  const range = c.resolutionRange;
  if ((range && dpi >= range.min && dpi <= range.max) || c.resolutions.includes(dpi)) return null;
  return range
    ? `this scanner takes ${range.min}–${range.max} dpi`
    : `this scanner offers ${c.resolutions.join(', ')} dpi`;
}
