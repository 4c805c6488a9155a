import { z } from 'zod';
import { BatchId } from './batches';
import { command } from './define';

/** Marks around the matching words in a snippet (control characters: never in OCR text). */
export const SNIPPET_MARK_START = '\u0002';
export const SNIPPET_MARK_END = '\u0003';

const Query = z.string().trim().min(1, 'type a word to search for').max(200);

export const FullTextHit = z.object({
  batchId: z.string(),
  title: z.string(),
  page: z.number().int().positive(),
  /** A stretch of the page's text, the matching words between SNIPPET_MARK_START and _END. */
  snippet: z.string(),
});
export type FullTextHit = z.infer<typeof FullTextHit>;

/** A box in the master's pixels (ALTO's coordinates). */
export const WordBox = z.object({
  text: z.string(),
  x: z.number(),
  y: z.number(),
  width: z.number(),
  height: z.number(),
});
export type WordBox = z.infer<typeof WordBox>;

export const searchCommands = {
  'search.fulltext': command({
    input: z.object({ query: Query, limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.object({ hits: z.array(FullTextHit) }),
    access: 'operator',
    summary:
      'Full-text search (OCR) across completed batches: batch, page and a snippet per hit, best first.',
  }),
  'search.page': command({
    input: z.object({ batchId: BatchId, page: z.number().int().positive(), query: Query }).strict(),
    output: z.object({
      /** The page's access copy as a data URL; null when it has none. */
      dataUrl: z.string().nullable(),
      /** The master's size in pixels: the boxes' coordinate space. */
      width: z.number().int().nonnegative(),
      height: z.number().int().nonnegative(),
      /** The words of the page that match the query, from its ALTO. */
      matches: z.array(WordBox),
    }),
    access: 'operator',
    summary: 'A search hit opened: the page image and the boxes of its matching words (from its ALTO).',
  }),
};
