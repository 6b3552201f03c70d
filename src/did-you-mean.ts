/**
 * The one "did you mean" helper: every unknown key, variable, helper, input or model input is
 * matched against what was expected with the same edit-distance rule, so suggestions feel alike.
 */

/**
 * Edit distance between two strings: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost 1 (optimal string alignment), so `nmae` is 1 away from `name`.
 */
export function editDistance(left: string, right: string): number {
  if (left === right) return 0;
  const rows: number[][] = [];
  for (let row = 0; row <= left.length; row += 1) {
    rows.push([row]);
    for (let column = 1; column <= right.length; column += 1) rows[row]?.push(row === 0 ? column : 0);
  }
  const cell = (row: number, column: number): number => rows[row]?.[column] ?? Number.POSITIVE_INFINITY;
  for (let row = 1; row <= left.length; row += 1) {
    for (let column = 1; column <= right.length; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let best = Math.min(cell(row - 1, column) + 1, cell(row, column - 1) + 1, cell(row - 1, column - 1) + cost);
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1]) {
        best = Math.min(best, cell(row - 2, column - 2) + 1);
      }
      const current = rows[row];
      if (current !== undefined) current[column] = best;
    }
  }
  return cell(left.length, right.length);
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
