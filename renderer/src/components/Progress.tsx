/**
 * Pages done of expected, as a bar and as text. A styled element with the progressbar role
 * rather than <progress>: the native control's shadow parts cost style and paint work in every
 * row of a 10,000-row table that scrolls past, and look the same to assistive technology.
 */
export function Progress({
  done,
  expected,
  label,
}: {
  done: number;
  expected: number | null;
  label: string;
}) {
  const text = expected ? `${done} of ${expected}` : `${done}`;
  return (
    <div className="progress">
      {expected ? (
        <div
          className="progress__bar"
          role="progressbar"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={expected}
          aria-valuenow={Math.min(done, expected)}
          aria-valuetext={text}
        >
          <div className="progress__fill" style={{ transform: `scaleX(${Math.min(1, done / expected)})` }} />
        </div>
      ) : null}
      <span className="progress__text">{text}</span>
    </div>
  );
}
