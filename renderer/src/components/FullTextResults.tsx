import { useEffect, useState } from 'react';
import {
  SNIPPET_MARK_END,
  SNIPPET_MARK_START,
  type FullTextHit,
  type WordBox,
} from '../../../shared/contract/index';
import { describeError, FormError } from './FormError';
import { quire } from '../ipc/client';

/** A snippet with its matching words (between the contract's marks) in <mark>. */
function Snippet({ text }: { text: string }) {
  const parts = text.split(SNIPPET_MARK_START).flatMap((chunk, i) => {
    if (i === 0) return [{ mark: false, text: chunk }];
    const [marked, rest = ''] = chunk.split(SNIPPET_MARK_END);
    return [
      { mark: true, text: marked ?? '' },
      { mark: false, text: rest },
    ];
  });
  return (
    <span className="fulltext__snippet">
      {parts.map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </span>
  );
}

/** A hit opened: the page's access copy with the matching words' ALTO boxes drawn over it. */
function HitPage({ hit, query, onClose }: { hit: FullTextHit; query: string; onClose: () => void }) {
  const [page, setPage] = useState<{
    dataUrl: string | null;
    width: number;
    height: number;
    matches: WordBox[];
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    quire.call('search.page', { batchId: hit.batchId, page: hit.page, query }).then(
      (r) => live && setPage(r),
      (e) => live && setError(describeError(e)),
    );
    return () => {
      live = false;
    };
  }, [hit, query]);
  return (
    <aside className="drawer" role="dialog" aria-labelledby="fulltext-page-title">
      <div className="drawer__head">
        <h2 id="fulltext-page-title">
          {hit.batchId}, page {hit.page}
        </h2>
        <button type="button" className="button button--small" onClick={onClose}>
          Close
        </button>
      </div>
      <FormError error={error} />
      {page && page.dataUrl && page.width > 0 && (
        <div className="fulltext__page" style={{ position: 'relative' }}>
          <img src={page.dataUrl} alt={`Page ${hit.page} of ${hit.batchId}`} style={{ width: '100%' }} />
          {/* The boxes are in the master's pixels; the access copy has the master's proportions. */}
          <svg
            viewBox={`0 0 ${page.width} ${page.height}`}
            preserveAspectRatio="none"
            style={{ position: 'absolute', inset: 0, width: '100%', height: '100%' }}
            aria-label={`${page.matches.length} matching word(s) highlighted`}
            data-testid="fulltext-highlights"
          >
            {page.matches.map((m, i) => (
              <rect
                key={i}
                x={m.x}
                y={m.y}
                width={m.width}
                height={m.height}
                fill="rgba(255, 214, 0, 0.45)"
                stroke="rgb(200, 150, 0)"
              >
                <title>{m.text}</title>
              </rect>
            ))}
          </svg>
        </div>
      )}
      {page && !page.dataUrl && <p className="muted">This page has no image to show.</p>}
    </aside>
  );
}

/**
 * Full-text (OCR) hits for the Queue view's search: batch, page and snippet per hit; opening
 * one shows the page with the matching words highlighted. Nothing is shown for an empty query.
 */
export function FullTextResults({ query }: { query: string }) {
  const [hits, setHits] = useState<FullTextHit[] | null>(null);
  const [open, setOpen] = useState<FullTextHit | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setHits(null);
    setOpen(null);
    if (!query.trim()) return;
    quire.call('search.fulltext', { query, limit: 50 }).then(
      (r) => live && (setHits(r.hits), setError(null)),
      (e) => live && setError(describeError(e)),
    );
    return () => {
      live = false;
    };
  }, [query]);
  if (!query.trim()) return null;
  return (
    <section aria-labelledby="fulltext-title" className="fulltext stack">
      <h2 id="fulltext-title">Full text</h2>
      <FormError error={error} />
      {hits && hits.length === 0 && <p className="muted">No page's text matches “{query}”.</p>}
      {hits && hits.length > 0 && (
        <ul className="plain stack" aria-label="Full-text hits">
          {hits.map((hit) => (
            <li key={`${hit.batchId}:${hit.page}`}>
              <button type="button" className="button button--link" onClick={() => setOpen(hit)}>
                <strong>{hit.batchId}</strong> — {hit.title}, page {hit.page}
              </button>{' '}
              <Snippet text={hit.snippet} />
            </li>
          ))}
        </ul>
      )}
      {open && <HitPage hit={open} query={query} onClose={() => setOpen(null)} />}
    </section>
  );
}
