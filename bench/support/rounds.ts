// Shared by every benchmark: alternating rounds, median and spread, and what the machine was
// doing. A single figure from a shared virtual machine says little (capture measured 0.44 to
// 0.79× in five runs of one bench); the median of alternating rounds, with the spread beside
// it and the load written down, says how far a figure can be trusted.

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `{ median, min, max }` of a list, rounded for reading. */
export function summary(values: number[], digits = 3): { median: number; min: number; max: number } {
  return {
    median: round(median(values), digits),
    min: round(Math.min(...values), digits),
    max: round(Math.max(...values), digits),
  };
}

export const ROUNDS = Math.max(3, Number(process.env.QUIRE_BENCH_ROUNDS ?? 3));

export interface Paired<Q, B> {
  quire: Q[];
  baseline: B[];
}

/**
 * Runs `quire` and `baseline` alternately (Q, B, Q, B, …), `rounds` times each, so that a
 * slow spell of the machine or the disk falls on both sides instead of on one. Each round's
 * ratio is taken within the round (Q_i against B_i), never best against best.
 */
export async function alternate<Q, B>(
  rounds: number,
  quire: (round: number) => Promise<Q>,
  baseline: (round: number) => Promise<B>,
): Promise<Paired<Q, B>> {
  const out: Paired<Q, B> = { quire: [], baseline: [] };
  for (let i = 1; i <= rounds; i++) {
    process.stderr.write(`round ${i} of ${rounds}: Quire…\n`);
    out.quire.push(await quire(i));
    process.stderr.write(`round ${i} of ${rounds}: baseline…\n`);
    out.baseline.push(await baseline(i));
  }
  return out;
}

/**
 * The figures every bench reports about a ratio: the median of the per-round ratios (the
 * headline), their spread, and how many rounds there were.
 */
export function ratioFigures(ratios: number[], digits = 3) {
  const s = summary(ratios, digits);
  return {
    ratio: s.median,
    ratioSpread: [s.min, s.max] as [number, number],
    rounds: ratios.length,
    // Every round's ratio, in order, so that runs of the same code can be pooled.
    roundRatios: ratios.map((r) => Number(r.toFixed(digits))),
  };
}
