/**
 * The one Handlebars environment. Isolated from the global `Handlebars` so nothing else can
 * register helpers or partials into it, and configured so a template can only do what we allow:
 *
 * - `noEscape`: values reach the next model byte for byte (`Tom's Socks & Co.` stays as written);
 * - `strict`: a variable that does not exist is an error, never an empty string;
 * - `knownHelpersOnly` with a closed helper set: `if`, `unless`, `each`, `with` (built in) and
 *   `trim`, `upper`, `lower`, `json` (ours, one argument each). `log` and `lookup` are removed:
 *   `log` prints to the console and `lookup` makes references dynamic, which defeats the checker.
 */
import Handlebars from 'handlebars';

/** Helpers that take a block (`{{#if x}}...{{/if}}`); `each`/`with` change the context. */
export const BLOCK_HELPERS: ReadonlySet<string> = new Set(['if', 'unless', 'each', 'with']);

/** Block helpers whose body sees a different `this` (so plain names there are not pipeline names). */
export const CONTEXT_HELPERS: ReadonlySet<string> = new Set(['each', 'with']);

/** Inline helpers we add; each takes exactly one argument. */
export const INLINE_HELPERS: ReadonlySet<string> = new Set(['trim', 'upper', 'lower', 'json']);

/** Every helper name a template may use. */
export const ALL_HELPERS: readonly string[] = [...BLOCK_HELPERS, ...INLINE_HELPERS];

/** The isolated environment every template is compiled in. */
export const environment = Handlebars.create();
environment.unregisterHelper('log');
environment.unregisterHelper('lookup');

/** Registers a one-argument helper; `strict` does not cover helper arguments, so we check here. */
function registerInline(name: string, transform: (value: unknown) => string): void {
  environment.registerHelper(name, (...parameters: unknown[]) => {
    const value = parameters.length === 2 ? parameters[0] : undefined;
    if (value === undefined || value === null) throw new Error(`helper "${name}" got no value`);
    return transform(value);
  });
}
registerInline('trim', (value) => String(value).trim());
registerInline('upper', (value) => String(value).toUpperCase());
registerInline('lower', (value) => String(value).toLowerCase());
registerInline('json', (value) => JSON.stringify(value));

/** Compile options shared by `precompile` (load-time checking) and `compile` (rendering). */
export const COMPILE_OPTIONS: CompileOptions = {
  noEscape: true,
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: {
    log: false,
    lookup: false,
    trim: true,
    upper: true,
    lower: true,
    json: true,
  },
};

/** The location of the last token the Handlebars lexer saw; parse errors carry no position of their own. */
export function lastLexerPosition(): { line: number; column: number } | undefined {
  const parser = (Handlebars as unknown as { Parser?: { lexer?: { yylloc?: { first_line?: number; first_column?: number } } } }).Parser;
  const position = parser?.lexer?.yylloc;
  if (position?.first_line === undefined || position.first_column === undefined) return undefined;
  return { line: position.first_line, column: position.first_column + 1 };
}
