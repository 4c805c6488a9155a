import { useEffect, useState, type FormEvent } from 'react';
import type { DeadLetter, SyncRun } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { useIsSupervisor } from '../state/session';

/** Settings → Catalog: sync from the collection-management API, with progress and dead letters. */
export function CatalogSettings() {
  const supervisor = useIsSupervisor();
  const [apiBase, setApiBase] = useState('');
  const [ids, setIds] = useState('');
  const [fromBatches, setFromBatches] = useState(false);
  const [runs, setRuns] = useState<SyncRun[]>([]);
  const [letters, setLetters] = useState<{ runId: string; items: DeadLetter[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    quire.call('settings.get', {}).then(
      (settings) => setApiBase((typed) => typed || settings.catalogApiBase),
      () => {},
    );
    quire.call('catalog.runs', {}).then(setRuns, (e) => setError(describeError(e)));
    return quire.subscribe((event) => {
      if (event.name !== 'catalog.progress') return;
      const run = event.payload;
      setRuns((list) => [run, ...list.filter((r) => r.id !== run.id)]);
    });
  }, []);

  async function sync(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const list = ids
        .split(/\s+/)
        .map((s) => s.trim())
        .filter(Boolean);
      // The address is kept for the next sync (and the next supervisor).
      const saved = await quire.call('settings.get', {});
      if (saved.catalogApiBase !== apiBase.trim())
        await quire.call('settings.update', { catalogApiBase: apiBase.trim() });
      await quire.call('catalog.sync', fromBatches ? { apiBase, fromBatches: true } : { apiBase, ids: list });
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function showLetters(runId: string) {
    try {
      setLetters({
        runId,
        items: (await quire.call('catalog.deadLetters', { runId, offset: 0, limit: 200 })).items,
      });
    } catch (e) {
      setError(describeError(e));
    }
  }

  const latest = runs[0];
  return (
    <section aria-labelledby="catalog-title">
      <h2 id="catalog-title">Catalog</h2>
      {latest?.state === 'failed' && (
        <p className="form-error catalog-failure" role="alert" data-testid="catalog-failure">
          The last sync failed ({new Date(latest.finishedAt ?? latest.startedAt).toLocaleString()}):{' '}
          {latest.error ?? 'no reason was recorded'}.
        </p>
      )}
      {supervisor ? (
        <form className="stack" onSubmit={sync}>
          <label>
            Collection-management API
            <input value={apiBase} onChange={(e) => setApiBase(e.target.value)} />
          </label>
          <label className="radio">
            <input type="checkbox" checked={fromBatches} onChange={(e) => setFromBatches(e.target.checked)} />
            The accession numbers of this station's batches
          </label>
          {!fromBatches && (
            <label>
              Asset ids (one per line)
              <textarea rows={4} value={ids} onChange={(e) => setIds(e.target.value)} />
            </label>
          )}
          <button type="submit" className="button button--primary">
            Sync now
          </button>
        </form>
      ) : (
        <p className="muted">Supervisors start catalog syncs.</p>
      )}
      <FormError error={error} />
      <table className="findings" aria-label="Catalog syncs">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">State</th>
            <th scope="col">Fetched</th>
            <th scope="col">New or changed</th>
            <th scope="col">Unchanged</th>
            <th scope="col">Dead letters</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>{new Date(r.startedAt).toLocaleString()}</td>
              <td>{r.state}</td>
              <td>{r.fetched}</td>
              <td>{r.upserted}</td>
              <td>{r.unchanged}</td>
              <td>
                {r.deadLetters > 0 ? (
                  <button type="button" className="button button--small" onClick={() => showLetters(r.id)}>
                    {r.deadLetters} — show
                  </button>
                ) : (
                  0
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {letters && (
        <div className="stack">
          <h3>Dead letters</h3>
          <ul>
            {letters.items.map((l) => (
              <li key={l.assetId}>
                <code>{l.assetId}</code> — {l.reason}
                {l.status ? ` (HTTP ${l.status})` : ''}: {l.detail}
                {l.issues.length ? ` — ${l.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}` : ''}
              </li>
            ))}
          </ul>
          {supervisor && (
            <button
              type="button"
              className="button"
              onClick={() =>
                quire
                  .call('catalog.retryDeadLetters', { runId: letters.runId })
                  .catch((e) => setError(describeError(e)))
              }
            >
              Retry these
            </button>
          )}
        </div>
      )}
    </section>
  );
}
