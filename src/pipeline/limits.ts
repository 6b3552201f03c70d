/**
 * Load limits. A pipeline file is a few kilobytes of hand-written YAML; anything past these numbers
 * is a mistake or an attack (alias bombs, pathological nesting), and is refused before any work.
 */

/** Largest pipeline file we read: 1 MiB (the biggest shipped pipeline is under 2 KiB). */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Deepest nesting of maps and lists: 64 levels (a pipeline needs about 5). */
export const MAX_DEPTH = 64;

/** Most aliases (`*name`) one file may use: 100 (yaml's own default). */
export const MAX_ALIASES = 100;

/** Most values the whole document may expand to, counting every alias expansion: 100,000. */
export const MAX_NODES = 100_000;
