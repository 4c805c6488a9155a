import { DEFAULT_COLOUR_PROFILE, type WireIssue } from '../../../shared/contract/index';
import { BatchManifest } from '../../../shared/domain/manifest';
import type { DestinationChoice } from '../components/DestinationFields';
import type { OcrChoice } from '../components/OcrFields';

/**
 * The New batch form's fields as the manifest sees them: what each field is in the manifest
 * (where its problems are shown), and the manifest draft the fields make. No React here: the
 * form keeps the state, this turns it into a manifest.
 */

const PLACEHOLDER_SHA = '0'.repeat(64);

export type FormFields = {
  batchId: string;
  device: string;
  title: string;
  accession: string;
  creator: string;
  date: string;
  rights: string;
  tier: string;
  pages: string;
  dpi: string;
  mode: string;
  bitDepth: string;
  source: string;
  colourProfile: string;
  schema: string;
  workType: string;
  inscriptions: string;
  creditLine: string;
};

/** What a new form starts with (`device` preselected when opened from a scanner). */
export const initialFields = (device = ''): FormFields => ({
  batchId: '',
  device,
  title: '',
  accession: '',
  creator: '',
  date: '',
  rights: 'http://rightsstatements.org/vocab/InC/1.0/',
  tier: 'public',
  pages: '4',
  dpi: '300',
  mode: 'color',
  bitDepth: '8',
  source: '',
  colourProfile: DEFAULT_COLOUR_PROFILE.color as string,
  schema: 'MODS',
  workType: '',
  inscriptions: '',
  creditLine: '',
});

/** Where each field's problems live in the manifest: a message is shown beside its field. */
export const FIELD_PATHS: Record<keyof FormFields, string> = {
  batchId: 'batch_id',
  device: 'device',
  title: 'descriptive.title',
  accession: 'descriptive.accession_numbers',
  creator: 'descriptive.creator',
  date: 'descriptive.date',
  rights: 'descriptive.rights_statement',
  tier: 'descriptive.access_tier',
  pages: 'expected_pages',
  dpi: 'scanner_profile.dpi',
  mode: 'scanner_profile.mode',
  bitDepth: 'scanner_profile.bit_depth',
  source: 'scanner_profile.source',
  colourProfile: 'scanner_profile.colour_profile',
  schema: 'metadata_schema',
  workType: 'descriptive.object_work_type',
  inscriptions: 'descriptive.inscriptions',
  creditLine: 'descriptive.credit_line',
};
const PLACED = Object.values(FIELD_PATHS);
export const inField = (issue: WireIssue, path: string) =>
  issue.path === path || issue.path.startsWith(`${path}.`);
/** Problems no field of the form shows (the manifest as a whole): said below the form. */
export const unplaced = (issues: readonly WireIssue[]) =>
  issues
    .filter((i) => !PLACED.some((path) => inField(i, path)))
    .map((i) => (i.path === '(root)' ? i.message : `${i.path}: ${i.message}`))
    .join('; ') || null;

/** Checks the form with the same schema main uses; the checksum is main's to compute. */
export function localIssues(draft: Record<string, unknown>): WireIssue[] {
  const parsed = BatchManifest.safeParse({ ...draft, checksums: { manifest_sha256: PLACEHOLDER_SHA } });
  return parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}

/** The LIDO-only descriptive fields, left out when empty (the manifest treats them as optional). */
function lidoFields(form: { workType: string; inscriptions: string; creditLine: string }) {
  const inscriptions = form.inscriptions
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return {
    ...(form.workType.trim() ? { object_work_type: form.workType.trim() } : {}),
    ...(inscriptions.length > 0 ? { inscriptions } : {}),
    ...(form.creditLine.trim() ? { credit_line: form.creditLine.trim() } : {}),
  };
}

/** The rest of the manifest, from outside the fields. */
export interface DraftContext {
  /** The scanner the form shows chosen (its first one when none was picked). */
  device: string;
  /** The chosen scanner's sources: a source it does not offer is left out. */
  sources: readonly { value: string }[];
  operator: string;
  ocr: OcrChoice;
  transferTo: DestinationChoice;
}

/** The manifest the form's fields make, unchecked (localIssues and main check it). */
export const manifestDraft = (form: FormFields, context: DraftContext): Record<string, unknown> => ({
  batch_id: form.batchId.trim(),
  device: context.device,
  scanner_profile: {
    dpi: Number(form.dpi),
    mode: form.mode,
    bit_depth: Number(form.bitDepth),
    colour_profile: form.colourProfile,
    ...(form.source && context.sources.some((s) => s.value === form.source) ? { source: form.source } : {}),
  },
  expected_pages: form.pages === 'until_empty' ? 'until_empty' : Number(form.pages),
  metadata_schema: form.schema,
  descriptive: {
    title: form.title,
    accession_numbers: form.accession
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    ...(form.creator ? { creator: form.creator } : {}),
    ...(form.date ? { date: form.date } : {}),
    rights_statement: form.rights,
    access_tier: form.tier,
    embargo_date: null,
    ...(form.schema === 'LIDO' ? lidoFields(form) : {}),
  },
  operator: context.operator,
  ...(context.ocr.enabled ? { ocr: context.ocr } : {}),
  ...(context.transferTo ? { transfer_to: context.transferTo } : {}),
});
