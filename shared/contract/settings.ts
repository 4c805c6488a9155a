import { z } from 'zod';
import { BatchNameTemplate } from '../domain/batch-name';
import { MetadataSchema, OcrSettings, ScannerProfile } from '../domain/manifest';
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
    /** The descriptive record batches of this profile get (e.g. LIDO for a museum's objects). */
    metadata_schema: MetadataSchema.optional(),
    /** OCR for batches of this profile (e.g. typescripts), and its languages. */
    ocr: OcrSettings.optional(),
    /** Repository destinations batches of this profile go to (names from Settings → Storage). */
    transfer_to: z.array(z.string().trim().min(1).max(60)).max(10).optional(),
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
  /** The collection-management API the last catalog sync read from (kept for the next one). */
  catalogApiBase: z
    .string()
    .trim()
    .max(500)
    .refine((u) => /^https?:\/\/[^\s]+$/.test(u), 'Enter the API address as an http:// or https:// URL'),
  /** Warn when the data folder's free space would last fewer hours of scanning at the current rate. */
  diskWarningHours: z.number().min(0.25, 'Use at least a quarter of an hour').max(72, 'Use at most 72 hours'),
  /** How New batch names a batch ({collection}, {date}, {seq}, {station}, {operator}); empty: typed by hand. */
  batchNameTemplate: BatchNameTemplate,
  /** Training and demos: supervisors may add simulated scanners and inject faults. Off on a production station. */
  trainingMode: z.boolean(),
});
export type StationSettings = z.infer<typeof StationSettings>;

/** The fields `settings.update` may change (scan profiles have their own commands). */
const EditableSettings = StationSettings.omit({ scanProfiles: true });

/** The settings as a person reads them, in messages about them. */
export const SETTING_LABELS: Record<keyof z.infer<typeof EditableSettings>, string> = {
  organizationName: 'the organization',
  stationName: 'the station name',
  idleLockMinutes: 'the idle lock',
  quarantineReasons: 'the quarantine reasons',
  catalogApiBase: 'the catalog address',
  diskWarningHours: 'the disk-space warning',
  batchNameTemplate: 'the batch-name template',
  trainingMode: 'training mode',
};

/**
 * A change to settings. `expected` holds, for fields being changed, the values the editor
 * started from (a form: what it was filled with): a field stored with another value by then,
 * changed at another console or station meanwhile, refuses the whole update instead of being
 * overwritten unseen. Without `expected`, the change applies to whatever is stored.
 */
export const SettingsUpdate = EditableSettings.partial()
  .extend({ expected: EditableSettings.partial().strict().optional() })
  .strict();
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;

export const settingsCommands = {
  'settings.get': command({
    input: z.object({}).strict(),
    output: StationSettings,
    access: 'operator',
    summary: 'The station settings.',
  }),
  'settings.update': command({
    input: SettingsUpdate,
    output: StationSettings,
    access: 'supervisor',
    summary:
      'Changes station settings (supervisors only); with `expected`, refuses a field changed meanwhile elsewhere.',
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
  'settings.suggestBatchName': command({
    input: z.object({ collection: z.string().trim().max(40) }).strict(),
    output: z.object({ name: z.string().nullable() }),
    access: 'operator',
    summary:
      "The next batch name from the station's template ({collection}-{date}-{seq}…), or null without one.",
  }),
};

export const settingsEvents = {
  'settings.changed': event({ payload: StationSettings, coalesceKey: () => 'settings' }),
};
