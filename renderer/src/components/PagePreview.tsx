import { useEffect, useRef, useState } from 'react';
import { quire } from '../ipc/client';

/** At most one preview request per card in this interval: a fast feeder need not re-render each page. */
const MIN_INTERVAL_MS = 1500;

/**
 * The last captured page, large: the access-size rendering the core makes from the master (never
 * the master itself). While pages arrive faster than it renders, it shows the newest it has and
 * asks again once the previous request came back.
 */
export function PagePreview({ batchId, page }: { batchId: string; page: number | null }) {
  const [shown, setShown] = useState<{ key: string; url: string | null } | null>(null);
  const inFlight = useRef(false);
  const lastAsked = useRef(0);
  const wanted = page ? `${batchId}#${page}` : null;
  const [retry, setRetry] = useState(0);

  useEffect(() => {
    if (!wanted || !page || shown?.key === wanted || inFlight.current) return;
    const wait = lastAsked.current + MIN_INTERVAL_MS - Date.now();
    if (wait > 0) {
      const timer = setTimeout(() => setRetry((n) => n + 1), wait);
      return () => clearTimeout(timer);
    }
    inFlight.current = true;
    lastAsked.current = Date.now();
    quire
      .call('batches.thumbnail', { batchId, page, size: 'access' })
      .then(
        ({ dataUrl }) => setShown({ key: wanted, url: dataUrl }),
        () => setShown({ key: wanted, url: null }),
      )
      .finally(() => {
        inFlight.current = false;
        setRetry((n) => n + 1);
      });
    return undefined;
  }, [wanted, batchId, page, shown?.key, retry]);

  const shownPage = shown ? Number(shown.key.split('#')[1]) : null;
  return (
    <figure className="preview" data-testid="page-preview">
      {shown?.url ? (
        <img src={shown.url} alt={`Page ${shownPage} of ${batchId}, as captured`} />
      ) : (
        <div className="preview__empty">{page ? 'Rendering the page…' : 'No page captured yet'}</div>
      )}
      <figcaption className="muted">{shownPage ? `Last page captured: ${shownPage}` : '\u00a0'}</figcaption>
    </figure>
  );
}
