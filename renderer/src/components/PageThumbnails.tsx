import { useEffect, useState } from 'react';
import { useReturnFocus } from './return-focus';
import { quire } from '../ipc/client';

interface Page {
  page: number;
  hasThumbnail: boolean;
  width: number | null;
  height: number | null;
}

/** A slot with no master (its page failed, or capture stopped before it): recapture fills it. */
interface MissingPage {
  page: number;
  why: string;
}

function Thumbnail({ batchId, page, size }: { batchId: string; page: number; size: 'thumb' | 'access' }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    quire.call('batches.thumbnail', { batchId, page, size }).then(
      (r) => live && setSrc(r.dataUrl),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [batchId, page, size]);
  return src ? <img src={src} alt={`Page ${page}`} /> : <div className="thumb__placeholder">Page {page}</div>;
}

/** A page that arrived with other bytes than the scanner announced: not kept, its slot is empty. */
export interface ChecksumFailure {
  page: number;
  expected: string;
  actual: string;
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

/** Page thumbnails, each choosable for recapture, with a larger viewer. */
export function PageThumbnails({
  batchId,
  pages,
  missing = [],
  failures = [],
  chosen,
  onChosenChange,
}: {
  batchId: string;
  pages: Page[];
  missing?: MissingPage[];
  /** Checksum failures, shown in their page's slot with both checksums. */
  failures?: ChecksumFailure[];
  chosen: number[];
  onChosenChange: (pages: number[]) => void;
}) {
  const failureOf = new Map(failures.map((f) => [f.page, f]));
  const [viewing, setViewing] = useState<number | null>(null);
  const toggle = (page: number) =>
    onChosenChange(
      chosen.includes(page) ? chosen.filter((p) => p !== page) : [...chosen, page].sort((a, b) => a - b),
    );
  const kept = new Set(pages.map((p) => p.page));
  const empty = new Map(missing.map((m) => [m.page, m.why]));
  // A failed page has an empty slot even when the ledger does not list it as missing.
  for (const f of failures)
    if (!kept.has(f.page) && !empty.has(f.page)) empty.set(f.page, 'checksum mismatch');
  const slots = [
    ...pages.map((p) => ({ page: p.page, missing: null as string | null })),
    ...[...empty].map(([page, why]) => ({ page, missing: why })),
  ].sort((a, b) => a.page - b.page);
  return (
    <>
      <ul className="thumbs">
        {slots.map((p) =>
          p.missing !== null ? (
            <li key={p.page} className="thumb thumb--missing" data-testid={`slot-${p.page}`}>
              {failureOf.has(p.page) ? (
                <div className="thumb__placeholder thumb__failed">
                  <strong>Page {p.page}: checksum mismatch</strong>
                  <span>
                    expected{' '}
                    <code title={failureOf.get(p.page)!.expected}>
                      {short(failureOf.get(p.page)!.expected)}
                    </code>
                  </span>
                  <span>
                    received{' '}
                    <code title={failureOf.get(p.page)!.actual}>{short(failureOf.get(p.page)!.actual)}</code>
                  </span>
                </div>
              ) : (
                <div className="thumb__placeholder" role="img" aria-label={`Page ${p.page} is missing`}>
                  Page {p.page}: missing ({p.missing})
                </div>
              )}
              <label className="thumb__choose">
                <input type="checkbox" checked={chosen.includes(p.page)} onChange={() => toggle(p.page)} />
                Page {p.page} (missing)
              </label>
            </li>
          ) : (
            <li key={p.page} className="thumb">
              <button
                type="button"
                className="thumb__view"
                onClick={() => setViewing(p.page)}
                aria-label={`View page ${p.page} larger`}
              >
                <Thumbnail batchId={batchId} page={p.page} size="thumb" />
              </button>
              <label className="thumb__choose">
                <input type="checkbox" checked={chosen.includes(p.page)} onChange={() => toggle(p.page)} />
                Page {p.page}
              </label>
            </li>
          ),
        )}
      </ul>
      {viewing !== null && <PageViewer batchId={batchId} page={viewing} onClose={() => setViewing(null)} />}
    </>
  );
}

/** One page, larger: focus starts on Close, Escape closes, and focus returns to the thumbnail. */
function PageViewer({ batchId, page, onClose }: { batchId: string; page: number; onClose: () => void }) {
  useReturnFocus();
  return (
    <div
      className="viewer"
      role="dialog"
      aria-modal="true"
      aria-label={`Page ${page}`}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        onClose();
      }}
    >
      <button type="button" className="button viewer__close" onClick={onClose} autoFocus>
        Close
      </button>
      <Thumbnail batchId={batchId} page={page} size="access" />
    </div>
  );
}
