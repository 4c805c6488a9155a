import { z } from 'zod';
import { unsafeIdReason } from './safe-id';

/** The placeholders a batch-name template may use, and what each stands for. */
export const BATCH_NAME_PLACEHOLDERS = {
  collection: 'the collection or accession prefix typed in New batch',
  date: "today's date as YYYYMMDD",
  seq: 'the next free number for that name today (001, 002, …)',
  station: 'the station name',
  operator: 'the username of the person starting the batch',
} as const;
export type BatchNamePart = keyof typeof BATCH_NAME_PLACEHOLDERS;

const PLACEHOLDER = /\{([a-z]+)\}/g;

/** What is wrong with a template, or null: unknown placeholders, or characters no batch id may hold. */
export function batchNameTemplateProblem(template: string): string | null {
  if (template === '') return null;
  for (const [, name] of template.matchAll(PLACEHOLDER))
    if (!(name! in BATCH_NAME_PLACEHOLDERS))
      return `{${name}} is not a placeholder; use ${Object.keys(BATCH_NAME_PLACEHOLDERS)
        .map((p) => `{${p}}`)
        .join(', ')}`;
  if (!template.includes('{seq}')) return 'Include {seq}, so two batches never get the same name';
  const sample = template.replace(PLACEHOLDER, 'x');
  const reason = unsafeIdReason(sample);
  return reason ? `The names it makes would not be valid batch ids: ${reason}` : null;
}

export const BatchNameTemplate = z
  .string()
  .trim()
  .max(80, 'Use at most 80 characters for the template')
  .superRefine((template, context) => {
    const problem = batchNameTemplateProblem(template);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/** Values for every placeholder but {seq}, made safe for a batch id (spaces become "-"). */
export type BatchNameValues = Record<Exclude<BatchNamePart, 'seq'>, string>;

const idSafe = (value: string) =>
  value
    .trim()
    .replace(/\s+/g, '-')
    .replace(/[^A-Za-z0-9._-]/g, '')
    .slice(0, 24) || 'x';

/** The template filled in with `seq` (zero-padded to 3). */
export function expandBatchName(template: string, values: BatchNameValues, seq: number): string {
  return template.replace(PLACEHOLDER, (_, name: BatchNamePart) =>
    name === 'seq' ? String(seq).padStart(3, '0') : idSafe(values[name]),
  );
}

/** The first name the template makes that no existing id takes ({seq} counts up from 1). */
export function nextBatchName(
  template: string,
  values: BatchNameValues,
  taken: (id: string) => boolean,
): string {
  for (let seq = 1; seq < 100_000; seq++) {
    const name = expandBatchName(template, values, seq);
    if (!taken(name)) return name;
  }
  throw new Error('no free batch name left for this template today');
}
