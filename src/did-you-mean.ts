/**
 * The one "did you mean" helper: every unknown key, variable, helper, input or model input is
 * matched against what was expected with the same edit-distance rule, so suggestions feel alike.
 */

/** Levenshtein edit distance between two strings (insertions, deletions, substitutions). */
export function editDistance(left: string, right: string): number {
  if (left === right) return 0;
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      current[column] = Math.min(
        (previous[column] ?? 0) + 1,
        (current[column - 1] ?? 0) + 1,
        (previous[column - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/**
 * The closest candidate to `word`, or undefined when nothing is close enough. "Close enough" is at
 * most a third of the word's length in edits (minimum 1, maximum 3), compared case-insensitively,
 * so `compnay_name` finds `company_name` but `x` does not suggest `y`.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` when there is a suggestion, otherwise the empty string. */
export function didYouMeanSuffix(word: string, candidates: Iterable<string>): string {
  const suggestion = didYouMean(word, candidates);
  return suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
}
