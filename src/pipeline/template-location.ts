/**
 * Where a character of a template sits in the YAML file. YAML only changes whitespace when it
 * reads plain and block scalars (indentation is removed, `>` folds line breaks into spaces), so the
 * n-th non-blank character of the value is the n-th non-blank character of the scalar's source.
 * That makes positions exact for `|`, `>`, plain and single-quoted scalars (`''` is one quote);
 * for double-quoted scalars with escapes we fall back to the start of the scalar.
 */
import { isScalar } from 'yaml';
import type { Node } from 'yaml';
import type { SourceLocation } from '../errors.js';
import type { YamlLocator } from './yaml-source.js';

const BLANK = /\s/;

/** The file location of `offset` inside the string value of `node`. */
export function locateInScalar(locator: YamlLocator, node: Node | undefined, offset: number): SourceLocation | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const value = node.value;
  const [start, end] = node.range;
  const text = locator.text;
  const fallback = locator.at(start);
  let cursor = start;
  let quote: string | undefined;
  switch (node.type) {
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED': {
      const lineEnd = text.indexOf('\n', start);
      if (lineEnd === -1) return fallback;
      cursor = lineEnd + 1;
      break;
    }
    case 'QUOTE_DOUBLE':
      if (text.slice(start, end).includes('\\')) return fallback;
      cursor = start + 1;
      quote = '"';
      break;
    case 'QUOTE_SINGLE':
      cursor = start + 1;
      quote = "'";
      break;
    default:
      break;
  }

  if (offset >= value.length) {
    // Just past the end (an unclosed block): one column after the last visible character.
    const lastIndex = value.trimEnd().length - 1;
    const last = lastIndex < 0 ? undefined : locateInScalar(locator, node, lastIndex);
    return last === undefined ? fallback : { ...last, column: last.column + 1 };
  }
  let wanted = 0;
  for (let index = 0; index < offset && index < value.length; index += 1) {
    if (!BLANK.test(value[index] ?? '')) wanted += 1;
  }
  if (BLANK.test(value[offset] ?? ' ')) return fallback;
  let seen = 0;
  for (; cursor < end; cursor += 1) {
    const character = text[cursor] ?? '';
    if (BLANK.test(character)) continue;
    if (seen === wanted) {
      return character === value[offset] || (quote === "'" && character === "'") ? locator.at(cursor) : fallback;
    }
    seen += 1;
    if (quote === "'" && character === "'" && text[cursor + 1] === "'") cursor += 1;
  }
  return fallback;
}
