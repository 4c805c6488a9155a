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
        <progress max={expected} value={Math.min(done, expected)} aria-label={label}>
          {text}
        </progress>
      ) : null}
      <span className="progress__text">{text}</span>
    </div>
  );
}
