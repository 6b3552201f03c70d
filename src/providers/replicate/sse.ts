/**
 * A small server-sent events parser (the WHATWG rules Replicate's stream follows): events end at a
 * blank line, several `data:` lines join with `\n`, exactly one space after the colon is dropped,
 * lines end in `\n`, `\r\n` or `\r`, and `:` lines are comments. Written here rather than
 * depending on a package because the rules fit in one page and we need nothing else.
 */

/** One dispatched event; `event` defaults to `message` as in browsers. */
export type ServerSentEvent = { event: string; data: string; id?: string };

/** Splits a field line at its first colon, dropping one optional space before the value. */
function splitField(line: string): { field: string; value: string } {
  const colon = line.indexOf(':');
  if (colon === -1) return { field: line, value: '' };
  const value = line.slice(colon + 1);
  return { field: line.slice(0, colon), value: value.startsWith(' ') ? value.slice(1) : value };
}

/**
 * Parses decoded text chunks into events as they complete. An event cut off by the end of the
 * stream (no closing blank line) is dropped, as the specification says: it may be incomplete.
 */
export async function* parseServerSentEvents(chunks: AsyncIterable<string>): AsyncGenerator<ServerSentEvent> {
  let buffer = '';
  let eventType = '';
  let dataLines: string[] | undefined;
  let id: string | undefined;
  // A chunk may end between \r and \n; hold a trailing \r back until the next chunk shows which.
  const lineEnd = /\r\n|\r|\n/g;
  for await (const chunk of chunks) {
    buffer += chunk;
    let start = 0;
    for (;;) {
      lineEnd.lastIndex = start;
      const found = lineEnd.exec(buffer);
      if (!found) break;
      if (found[0] === '\r' && found.index === buffer.length - 1) break;
      const line = buffer.slice(start, found.index);
      start = found.index + found[0].length;
      if (line === '') {
        if (dataLines !== undefined) yield { event: eventType || 'message', data: dataLines.join('\n'), ...(id === undefined ? {} : { id }) };
        eventType = '';
        dataLines = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const { field, value } = splitField(line);
      if (field === 'data') (dataLines ??= []).push(value);
      else if (field === 'event') eventType = value;
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
    buffer = buffer.slice(start);
  }
}

/** Decodes a byte stream as UTF-8, keeping characters split across chunks intact. */
export async function* decodeUtf8(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of bytes) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}
