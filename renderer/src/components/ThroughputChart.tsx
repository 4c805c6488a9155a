import { useEffect, useState } from 'react';
import { quire } from '../ipc/client';

type Metric = { queue: string; completed: number; meanLatencyMs: number | null };

/** Jobs completed per queue over the last 5 minutes, as bars with their numbers (never bars alone). */
export function ThroughputChart() {
  const [metrics, setMetrics] = useState<{ lastFiveMinutes: Metric[]; lastHour: Metric[] } | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      quire.call('queue.metrics', {}).then(
        (m) => live && setMetrics(m),
        () => {},
      );
    void load();
    const timer = window.setInterval(load, 10_000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);

  const rows = metrics?.lastFiveMinutes ?? [];
  const max = Math.max(1, ...rows.map((r) => r.completed));
  return (
    <figure className="throughput" aria-labelledby="throughput-title">
      <figcaption id="throughput-title">Throughput, last 5 minutes (last hour in brackets)</figcaption>
      {rows.length === 0 ? (
        <p className="muted">No jobs completed recently.</p>
      ) : (
        <ul>
          {rows.map((r) => {
            const hour = metrics?.lastHour.find((h) => h.queue === r.queue)?.completed ?? r.completed;
            return (
              <li key={r.queue}>
                <span className="throughput__label mono">{r.queue}</span>
                <span
                  className="throughput__bar"
                  style={{ width: `${(r.completed / max) * 100}%` }}
                  aria-hidden="true"
                />
                <span>
                  {r.completed} jobs ({hour})
                  {r.meanLatencyMs !== null ? `, ${(r.meanLatencyMs / 1000).toFixed(1)} s mean` : ''}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </figure>
  );
}
