/** Stop sequences: where the earliest one starts in a text. */

/** Index of the earliest occurrence of any stop sequence in `text`, or -1. */
export function findStop(text: string, stops: readonly string[]): number {
  let earliest = -1;
  for (const stop of stops) {
    if (stop === '') continue;
    const index = text.indexOf(stop);
    if (index !== -1 && (earliest === -1 || index < earliest)) earliest = index;
  }
  return earliest;
}

/** `text` cut before the earliest stop sequence (unchanged when none occurs). */
export function cutAtStop(text: string, stops: readonly string[]): { text: string; stopped: boolean } {
  const index = findStop(text, stops);
  return index === -1 ? { text, stopped: false } : { text: text.slice(0, index), stopped: true };
}
