import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import {
  SNIPPET_MARK_END,
  SNIPPET_MARK_START,
  type FullTextHit,
  type WordBox,
} from '../../shared/contract/index';
import type { CoreContext } from '../core/core-context';
import { migrate, type Migration } from '../storage/index';
import { pageName, TEXT_PATH } from './packaging/package-input';

/** The full-text index's tables. Append-only: add 2, 3… never edit a released one. */
const SEARCH_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'ocr full-text index',
    sql: `
      CREATE VIRTUAL TABLE ocr_fts USING fts5(
        text, batch_id UNINDEXED, page UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TABLE ocr_indexed (batch_id TEXT PRIMARY KEY, pages INTEGER NOT NULL, indexed_at TEXT NOT NULL);
    `,
  },
];

export interface FullTextSearch {
  /** Completed batches' pages whose text has every word of the query, best first. */
  search(query: string, limit?: number): FullTextHit[];
  /** The boxes (master pixels) of a page's words that match the query, from its packaged ALTO. */
  pageMatches(
    batchId: string,
    page: number,
    query: string,
  ): Promise<{ width: number; height: number; matches: WordBox[] }>;
  /** Indexes a completed batch's packaged text (again: replaces what was indexed). */
  indexBatch(batchId: string): Promise<number>;
  /** Indexes every completed batch not yet indexed (at start: a crash may have come between). */
  catchUp(): Promise<void>;
  close(): void;
}

/** Words as the index sees them: letters and digits, lower case, accents removed. */
export function searchTerms(text: string): string[] {
  return (
    text
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).filter(Boolean);
}

/**
 * Full-text search over the OCR of completed batches, in the station database (SQLite FTS5).
 * A batch is indexed from its package (data/text/page-NNNN.txt) when it completes, one page at
 * a time; a hit opens with the boxes from the page's packaged ALTO.
 */
export function createFullTextSearch(
  core: CoreContext,
  packageOf: (batchId: string) => { path: string; title: string } | null,
): FullTextSearch {
  migrate(core.db, 'ocr-search', SEARCH_MIGRATIONS);
  const db = core.db;
  const removeBatch = db.prepare('DELETE FROM ocr_fts WHERE batch_id = ?');
  const insertPage = db.prepare('INSERT INTO ocr_fts (text, batch_id, page) VALUES (?, ?, ?)');
  const markIndexed = db.prepare(
    'INSERT OR REPLACE INTO ocr_indexed (batch_id, pages, indexed_at) VALUES (?, ?, ?)',
  );
  const query = db.prepare(
    `SELECT batch_id AS batchId, page, snippet(ocr_fts, 0, ?, ?, '…', 16) AS snippet
       FROM ocr_fts WHERE ocr_fts MATCH ? ORDER BY rank LIMIT ?`,
  );
  const notIndexed = db.prepare(
    `SELECT id FROM batches WHERE stage = 'completed' AND package_path IS NOT NULL
        AND id NOT IN (SELECT batch_id FROM ocr_indexed) ORDER BY id`,
  );
  const indexing = new Map<string, Promise<number>>();

  const index = async (batchId: string): Promise<number> => {
    const pkg = packageOf(batchId);
    if (!pkg) return 0;
    const textDir = path.join(pkg.path, 'data', 'text');
    const files = existsSync(textDir)
      ? (await fs.readdir(textDir)).filter((f) => /^page-\d+\.txt$/.test(f))
      : [];
    removeBatch.run(batchId);
    // One page in memory at a time; the batch counts as indexed only once every page is in.
    for (const file of files.sort()) {
      const page = Number(/\d+/.exec(file)![0]);
      const text = await fs.readFile(path.join(pkg.path, 'data', TEXT_PATH(page)), 'utf8');
      if (text.trim()) insertPage.run(text, batchId, page);
    }
    markIndexed.run(batchId, files.length, new Date(core.clock.now()).toISOString());
    return files.length;
  };

  const unsubscribe = core.events.subscribe((event) => {
    if (event.name === 'batch.updated' && event.payload.stage === 'completed')
      void api
        .indexBatch(event.payload.id)
        .catch((error: unknown) =>
          core.logger.warn({ batchId: event.payload.id, err: error }, 'full-text indexing failed'),
        );
  });

  const api: FullTextSearch = {
    search(text, limit = 50) {
      const terms = searchTerms(text);
      if (terms.length === 0) return [];
      const match = terms.map((t) => `"${t}"`).join(' ');
      const rows = query.all(SNIPPET_MARK_START, SNIPPET_MARK_END, match, limit) as {
        batchId: string;
        page: number;
        snippet: string;
      }[];
      return rows.map((row) => ({ ...row, title: packageOf(row.batchId)?.title ?? row.batchId }));
    },
    async pageMatches(batchId, page, text) {
      const pkg = packageOf(batchId);
      const file = pkg && path.join(pkg.path, 'data', 'alto', `${pageName(page)}.xml`);
      if (!file || !existsSync(file)) return { width: 0, height: 0, matches: [] };
      const alto = await fs.readFile(file, 'utf8');
      const pageTag = attributes(/<Page\s[^>]*>/.exec(alto)?.[0] ?? '');
      const wanted = new Set(searchTerms(text));
      const matches: WordBox[] = [];
      for (const tag of alto.match(/<String\s[^>]*>/g) ?? []) {
        const a = attributes(tag);
        const content = a.CONTENT ?? '';
        if (!searchTerms(content).some((t) => wanted.has(t))) continue;
        matches.push({
          text: content,
          x: Number(a.HPOS),
          y: Number(a.VPOS),
          width: Number(a.WIDTH),
          height: Number(a.HEIGHT),
        });
      }
      return { width: Number(pageTag.WIDTH ?? 0), height: Number(pageTag.HEIGHT ?? 0), matches };
    },
    indexBatch(batchId) {
      // One indexing per batch at a time: a second request waits for the first, then runs.
      const previous = indexing.get(batchId) ?? Promise.resolve(0);
      const next = previous.catch(() => 0).then(() => index(batchId));
      indexing.set(batchId, next);
      void next.finally(() => indexing.get(batchId) === next && indexing.delete(batchId)).catch(() => {});
      return next;
    },
    async catchUp() {
      for (const { id } of notIndexed.all() as { id: string }[]) await api.indexBatch(id);
    },
    close: () => unsubscribe(),
  };
  return api;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The attributes of one start tag of the station's own ALTO (xmlbuilder2's output). */
function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name, value] of tag.matchAll(/([\w:]+)="([^"]*)"/g))
    out[name!] = value!.replace(/&(amp|lt|gt|quot|apos);|&#(\d+);|&#x([0-9a-f]+);/gi, (_, e, d, h) =>
      e ? ENTITIES[e]! : String.fromCodePoint(d ? Number(d) : parseInt(h, 16)),
    );
  return out;
}
