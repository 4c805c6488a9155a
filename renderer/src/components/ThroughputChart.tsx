import { useEffect, useState } from 'react';
import type { ThroughputSeries } from '../../../shared/contract/index';
import { quire } from '../ipc/client';

const WIDTH = 640;
const HEIGHT = 170;
const PAD = { left: 44, right: 12, top: 10, bottom: 28 };
/** Told apart by dash pattern as well as colour, so colour is never the only cue. */
const STROKES = [
  { colour: 'var(--accent)', dash: '' },
  { colour: 'var(--ok)', dash: '6 3' },
  { colour: 'var(--warn)', dash: '2 3' },
  { colour: 'var(--bad)', dash: '10 3 2 3' },
];
const HOURS = 8;

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Pages per hour per scanner over the last hours, on a time axis, with the figures as text. */
export function ThroughputChart() {
  const [series, setSeries] = useState<ThroughputSeries | null>(null);
  const [jobs, setJobs] = useState<number | null>(null);

  useEffect(() => {
    let live = true;
    const load = () => {
      quire.call('reports.throughput', { hours: HOURS }).then(
        (s) => live && setSeries(s),
        () => {},
      );
      quire.call('queue.metrics', {}).then(
        (m) => live && setJobs(m.lastHour.reduce((n, q) => n + q.completed, 0)),
        () => {},
      );
    };
    load();
    const timer = window.setInterval(load, 15_000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);

  const devices = series?.devices ?? [];
  const start = series ? Date.parse(series.from) : 0;
  const span = series ? Date.parse(series.to) - start : 1;
  const max = Math.max(60, ...devices.flatMap((d) => d.points.map((p) => p.pagesPerHour)));
  const x = (iso: string) => PAD.left + ((Date.parse(iso) - start) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => HEIGHT - PAD.bottom - (v / max) * (HEIGHT - PAD.top - PAD.bottom);
  const ticks = series
    ? Array.from({ length: HOURS / 2 + 1 }, (_, i) =>
        new Date(start + (i * span) / (HOURS / 2)).toISOString(),
      )
    : [];
  const lastHour = (points: ThroughputSeries['devices'][number]['points']) => {
    const recent = points.slice(-(60 / (series?.bucketMinutes ?? 15)));
    return Math.round(recent.reduce((n, p) => n + p.pagesPerHour, 0) / Math.max(1, recent.length));
  };

  return (
    <figure className="throughput" aria-labelledby="throughput-title">
      <figcaption id="throughput-title">
        Throughput: pages per hour per scanner, last {HOURS} hours
        {jobs !== null ? ` · ${jobs} queue jobs completed in the last hour` : ''}
      </figcaption>
      {devices.length === 0 ? (
        <p className="muted">No pages captured in the last {HOURS} hours.</p>
      ) : (
        <>
          <svg
            className="throughput__chart"
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            role="img"
            aria-label={`Pages per hour: ${devices.map((d) => `${d.device} about ${lastHour(d.points)} in the last hour`).join(', ')}`}
          >
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} className="throughput__axis" />
            <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={y(0)} className="throughput__axis" />
            <text x={PAD.left - 6} y={y(max) + 4} textAnchor="end" className="throughput__tick">
              {Math.round(max)}
            </text>
            <text x={PAD.left - 6} y={y(0)} textAnchor="end" className="throughput__tick">
              0
            </text>
            {ticks.map((t) => (
              <text key={t} x={x(t)} y={HEIGHT - 8} textAnchor="middle" className="throughput__tick">
                {clock(t)}
              </text>
            ))}
            {devices.map((d, i) => {
              const stroke = STROKES[i % STROKES.length]!;
              return (
                <polyline
                  key={d.device}
                  fill="none"
                  stroke={stroke.colour}
                  strokeDasharray={stroke.dash}
                  strokeWidth={2}
                  points={d.points
                    .map((p) => `${x(p.at).toFixed(1)},${y(p.pagesPerHour).toFixed(1)}`)
                    .join(' ')}
                />
              );
            })}
          </svg>
          <ul className="throughput__legend" aria-label="Scanners">
            {devices.map((d, i) => {
              const stroke = STROKES[i % STROKES.length]!;
              return (
                <li key={d.device}>
                  <svg width="28" height="10" aria-hidden="true">
                    <line
                      x1="0"
                      x2="28"
                      y1="5"
                      y2="5"
                      stroke={stroke.colour}
                      strokeDasharray={stroke.dash}
                      strokeWidth={2}
                    />
                  </svg>{' '}
                  <span className="mono">{d.device}</span>: about {lastHour(d.points)} pages per hour in the
                  last hour
                </li>
              );
            })}
          </ul>
        </>
      )}
    </figure>
  );
}
