/**
 * Escaping for the report formats. Everything a report shows came from a model, a user's input file
 * or an error message, so all of it is untrusted text that must never become markup.
 */
import { formatCount } from './format.js';

// XML 1.0 allows only tab, newline, carriage return and the ranges below; anything else (NUL, other
// C0 controls, lone surrogates, U+FFFE/U+FFFF) makes the whole document unparseable.
const XML_FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes the characters XML 1.0 forbids (HTML forbids the same C0 controls). */
export function stripForbiddenCharacters(text: string): string {
  return text.replace(XML_FORBIDDEN, '');
}

/** Escapes text for an XML element's content. */
export function escapeXmlText(text: string): string {
  return stripForbiddenCharacters(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // A parser turns a bare CR into LF; the reference keeps CRLF output byte-exact.
    .replace(/\r/g, '&#13;');
}

/** Escapes text for a double-quoted XML attribute, keeping line breaks and tabs (parsers turn them into spaces). */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

/** Escapes text for HTML element content or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return stripForbiddenCharacters(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Cuts text longer than `limit` characters and says how much was left out, so reports stay a readable size. */
export function truncateText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // Do not cut a surrogate pair in half: the lone half would be stripped anyway, but silently.
  let end = limit;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… (${formatCount(text.length - end)} more characters)`;
}

/** Renders any step value as text: strings as they are, anything else as indented JSON. */
export function valueToText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
