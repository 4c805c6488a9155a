/**
 * Word accuracy of recognised text against the words printed: 1 − (word-level edit distance /
 * words printed), so a missed, extra or misread word each costs one. Whitespace separates
 * words; nothing else is normalised, so a wrong accent or punctuation mark counts as wrong.
 */
export function wordAccuracy(expected: readonly string[], recognised: readonly string[]): number {
  if (expected.length === 0) return recognised.length === 0 ? 1 : 0;
  let previous = Array.from({ length: recognised.length + 1 }, (_, j) => j);
  for (let i = 1; i <= expected.length; i++) {
    const current = [i];
    for (let j = 1; j <= recognised.length; j++) {
      const substitution = previous[j - 1]! + (expected[i - 1] === recognised[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1));
    }
    previous = current;
  }
  return Math.max(0, 1 - previous[recognised.length]! / expected.length);
}

export const wordsOf = (text: string) => text.split(/\s+/).filter(Boolean);
