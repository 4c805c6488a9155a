import { useEffect, useState } from 'react';
import type { AuditEvent } from '../../../shared/contract/index';
import { PremisEventType } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';

type Verification = { ok: boolean; checked: number; firstBrokenSeq: number | null; reason: string | null };

export function AuditView() {
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [total, setTotal] = useState(0);
  const [type, setType] = useState('');
  const [object, setObject] = useState('');
  const [verification, setVerification] = useState<Verification | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    quire
      .call('audit.list', {
        ...(type ? { type: type as AuditEvent['type'] } : {}),
        ...(object ? { object } : {}),
        offset: 0,
        limit: 200,
      })
      .then(
        (page) => {
          setEvents(page.items);
          setTotal(page.total);
        },
        (e) => setError(describeError(e)),
      );
  }, [type, object]);

  useEffect(() => {
    quire.call('audit.verify', {}).then(setVerification, (e) => setError(describeError(e)));
  }, []);

  async function exportPremis() {
    try {
      const { xml } = await quire.call('audit.exportPremis', object ? { object } : {});
      const url = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `premis-${object || 'all'}.xml`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <section aria-labelledby="audit-title" className="view view--fill">
      <div className="view__head">
        <h1 id="audit-title">Audit</h1>
        {verification && (
          <p
            role="status"
            data-testid="chain-status"
            className={verification.ok ? 'chain chain--ok' : 'chain chain--bad'}
          >
            {verification.ok
              ? `Chain intact: ${verification.checked} events verified`
              : `Chain broken at event ${verification.firstBrokenSeq}: ${verification.reason}`}
          </p>
        )}
      </div>
      <div className="filters">
        <label>
          Event type
          <select value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">All types</option>
            {PremisEventType.options.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label className="filters__search">
          Batch or file
          <input
            value={object}
            onChange={(e) => setObject(e.target.value.trim())}
            placeholder="e.g. MS-1887-042"
          />
        </label>
        <button type="button" className="button" onClick={exportPremis}>
          Export PREMIS XML
        </button>
        <span className="muted filters__total">{total} events</span>
      </div>
      <FormError error={error} />
      <div className="table-scroll">
        <table className="findings">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Outcome</th>
              <th scope="col">Object</th>
              <th scope="col">Person</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{e.seq}</td>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td>{e.type}</td>
                <td>{e.outcome}</td>
                <td className="mono">{e.object}</td>
                <td>{e.agents.person}</td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
