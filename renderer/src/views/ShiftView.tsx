import { useEffect, useState, type FormEvent } from 'react';
import type { ShiftSummary } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { ThroughputChart } from '../components/ThroughputChart';
import { quire } from '../ipc/client';

const SHIFT_HOURS = 8;

/** A datetime-local value (the person's own clock) for a moment. */
const localInput = (ms: number) => {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

const csvCell = (value: string | number) => {
  const text = String(value);
  // Quotes for commas, quotes and line breaks; a leading =, +, - or @ cannot become a formula.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function shiftCsv(summary: ShiftSummary): string {
  const lines = [
    ['section', 'operator', 'scanner', 'pages', 'batches', 'quarantined', 'reason', 'count'],
    ...summary.rows.map((r) => ['work', r.operator, r.device, r.pages, r.batches, r.quarantined, '', '']),
    ...summary.quarantines.map((q) => ['quarantine', '', q.device, '', '', '', q.reason, q.count]),
    ['total', '', '', summary.totals.pages, summary.totals.batches, summary.totals.quarantined, '', ''],
  ];
  return `${lines.map((line) => line.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The shift at a glance: who scanned what on which scanner, and what was quarantined and why. */
export function ShiftView() {
  const [from, setFrom] = useState(() => localInput(Date.now() - SHIFT_HOURS * 3_600_000));
  const [to, setTo] = useState(() => localInput(Date.now() + 60_000));
  const [summary, setSummary] = useState<ShiftSummary | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    setError(null);
    try {
      setSummary(
        await quire.call('reports.shiftSummary', {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
        }),
      );
    } catch (e) {
      setError(describeError(e));
    }
  };
  useEffect(() => {
    void load();
    // Loaded once for the default shift; later windows load when the person asks.
  }, []);

  const download = () => {
    if (!summary) return;
    const url = URL.createObjectURL(new Blob([shiftCsv(summary)], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `shift-${from.replace(/[:T]/g, '')}-${to.replace(/[:T]/g, '')}.csv`;
    link.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <section aria-labelledby="shift-title" className="view">
      <h1 id="shift-title">Shift</h1>
      <form
        className="row no-print"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void load();
        }}
      >
        <label>
          From
          <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit" className="button">
          Show
        </button>
        <button type="button" className="button" onClick={() => window.print()} disabled={!summary}>
          Print
        </button>
        <button type="button" className="button" onClick={download} disabled={!summary}>
          Export CSV
        </button>
      </form>
      <FormError error={error} />
      {summary && (
        <>
          <p data-testid="shift-totals">
            {summary.totals.pages} pages in {summary.totals.batches} batches started;{' '}
            {summary.totals.quarantined} quarantined.
          </p>
          <table className="findings shift-summary" aria-label="Work by operator and scanner">
            <thead>
              <tr>
                <th scope="col">Operator</th>
                <th scope="col">Scanner</th>
                <th scope="col">Pages</th>
                <th scope="col">Batches</th>
                <th scope="col">Quarantined</th>
              </tr>
            </thead>
            <tbody>
              {summary.rows.length === 0 && (
                <tr>
                  <td colSpan={5}>Nothing was scanned in this shift.</td>
                </tr>
              )}
              {summary.rows.map((r) => (
                <tr key={`${r.operator}/${r.device}`}>
                  <td>{r.operator}</td>
                  <td className="mono">{r.device}</td>
                  <td>{r.pages}</td>
                  <td>{r.batches}</td>
                  <td>{r.quarantined}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Quarantines and their reasons</h2>
          {summary.quarantines.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul aria-label="Quarantine reasons">
              {summary.quarantines.map((q) => (
                <li key={`${q.device}/${q.reason}`}>
                  {q.count} × {q.reason} on <span className="mono">{q.device}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <ThroughputChart />
    </section>
  );
}
