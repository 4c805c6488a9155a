import { z } from 'zod';
import { OcrSettings, ScannerProfile } from '../domain/manifest';
import { command, event } from './define';

export const DEFAULT_QUARANTINE_REASONS = [
  'Missing pages',
  'Blurred image',
  'Wrong scan profile',
  'Damaged original',
  'Checksum mismatch',
  'Wrong object scanned',
] as const;

/** A named scanner profile that the New batch form offers, so operators need not retype it. */
export const ScanProfilePreset = z
  .object({
    name: z.string().trim().min(1).max(60),
    profile: ScannerProfile,
    /** OCR for batches of this profile (e.g. typescripts), and its languages. */
    ocr: OcrSettings.optional(),
  })
  .strict();
export type ScanProfilePreset = z.infer<typeof ScanProfilePreset>;

/** The colour profile a scan in each mode usually carries, unless a saved profile says otherwise. */
export const DEFAULT_COLOUR_PROFILE = {
  color: 'sRGB IEC61966-2.1',
  gray: 'Gray Gamma 2.2',
  bw: 'Gray Gamma 2.2',
} as const;

export const DEFAULT_SCAN_PROFILES: ScanProfilePreset[] = [
  {
    name: 'Manuscripts, 400 dpi colour',
    profile: { dpi: 400, mode: 'color', bit_depth: 8, colour_profile: DEFAULT_COLOUR_PROFILE.color },
  },
  {
    name: 'Printed text, 300 dpi greyscale',
    profile: { dpi: 300, mode: 'gray', bit_depth: 8, colour_profile: DEFAULT_COLOUR_PROFILE.gray },
  },
  {
    name: 'Typescript, 600 dpi bitonal',
    profile: { dpi: 600, mode: 'bw', bit_depth: 1, colour_profile: DEFAULT_COLOUR_PROFILE.bw },
  },
];

export const StationSettings = z.object({
  organizationName: z.string().trim().min(1).max(120),
  stationName: z.string().trim().min(1).max(80),
  idleLockMinutes: z.number().int().min(1).max(240),
  /** The reasons a supervisor chooses from for every quarantine decision. */
  quarantineReasons: z.array(z.string().trim().min(1).max(80)).min(1).max(40),
  /** Saved scan profiles, changed one at a time (never replaced wholesale, so none is lost). */
  scanProfiles: z.array(ScanProfilePreset).max(50),
});
export type StationSettings = z.infer<typeof StationSettings>;

export const settingsCommands = {
  'settings.get': command({
    input: z.object({}).strict(),
    output: StationSettings,
    access: 'operator',
    summary: 'The station settings.',
  }),
  'settings.update': command({
    input: StationSettings.omit({ scanProfiles: true }).partial().strict(),
    output: StationSettings,
    access: 'supervisor',
    summary: 'Changes station settings (supervisors only).',
  }),
  'settings.saveScanProfile': command({
    input: ScanProfilePreset,
    output: StationSettings,
    access: 'supervisor',
    summary: 'Saves a new named scan profile; an existing name is refused, never overwritten.',
  }),
  'settings.deleteScanProfile': command({
    input: z.object({ name: z.string().trim().min(1).max(60) }).strict(),
    output: StationSettings,
    access: 'supervisor',
    summary: 'Deletes a saved scan profile.',
  }),
};

export const settingsEvents = {
  'settings.changed': event({ payload: StationSettings, coalesceKey: () => 'settings' }),
};
