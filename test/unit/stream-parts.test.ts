/** The pure pieces of streaming: the SSE parser, live text with stop hold-back, server-side stops. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseServerSentEvents, decodeUtf8, type ServerSentEvent } from '../../src/providers/replicate/sse.js';
import type { ModelSchema } from '../../src/providers/types.js';
import { LiveText } from '../../src/run/live-text.js';
import { withServerStops } from '../../src/run/server-stop.js';

async function* chunked(...chunks: string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

async function parse(...chunks: string[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of parseServerSentEvents(chunked(...chunks))) events.push(event);
  return events;
}

describe('parseServerSentEvents', () => {
  test('joins several data lines with \\n and strips exactly one space after the colon', async () => {
    const events = await parse('event: output\nid: 1\ndata: first\ndata:  second\n\n');
    assert.deepEqual(events, [{ event: 'output', data: 'first\n second', id: '1' }]);
  });

  test('accepts \\r\\n and \\r line ends, also split across chunks', async () => {
    const events = await parse('event: output\r', '\ndata: a\r\r', 'event: done\rdata: {}\r\n\r\n');
    assert.deepEqual(events.map((event) => [event.event, event.data]), [['output', 'a'], ['done', '{}']]);
  });

  test('skips comments, keeps events without id, and keeps an empty token', async () => {
    const events = await parse(': keep-alive\n\nevent: output\ndata: \n\nevent: output\ndata:x\n\n');
    assert.deepEqual(events, [{ event: 'output', data: '' }, { event: 'output', data: 'x' }]);
  });

  test('drops an event the stream cut off before its blank line', async () => {
    const events = await parse('event: output\ndata: whole\n\nevent: output\ndata: cut');
    assert.deepEqual(events.map((event) => event.data), ['whole']);
  });

  test('decodes a character split between byte chunks', async () => {
    const bytes = new TextEncoder().encode('data: é\n\n');
    async function* split(): AsyncGenerator<Uint8Array> {
      yield bytes.slice(0, 7);
      yield bytes.slice(7);
    }
    const events: ServerSentEvent[] = [];
    for await (const event of parseServerSentEvents(decodeUtf8(split()))) events.push(event);
    assert.deepEqual(events, [{ event: 'message', data: 'é' }]);
  });
});

describe('LiveText', () => {
  test('shows tokens as they come when there are no stops', () => {
    const shown: string[] = [];
    const live = new LiveText([], (chunk) => shown.push(chunk));
    assert.equal(live.append('Hello'), false);
    assert.equal(live.append(' world'), false);
    assert.deepEqual(shown, ['Hello', ' world']);
  });

  test('holds back a possible stop split across tokens and never shows it', () => {
    const shown: string[] = [];
    const live = new LiveText(['###'], (chunk) => shown.push(chunk));
    assert.equal(live.append('Answer #'), false);
    assert.equal(shown.join(''), 'Answer ', 'the # could start the stop');
    assert.equal(live.append('#'), false);
    assert.equal(live.append('# more'), true);
    assert.equal(shown.join(''), 'Answer ');
  });

  test('releases held text once it turns out not to be a stop', () => {
    const shown: string[] = [];
    const live = new LiveText(['###'], (chunk) => shown.push(chunk));
    live.append('a #');
    live.append('b');
    assert.equal(shown.join(''), 'a #b');
  });

  test('a poll that lags behind the stream loses nothing; finish shows the rest', () => {
    const shown: string[] = [];
    const live = new LiveText(['STOP'], (chunk) => shown.push(chunk));
    live.append('one two');
    live.replace('one');
    assert.equal(live.accumulated, 'one two');
    live.replace('one two three S');
    live.finish('one two three S');
    assert.equal(shown.join(''), 'one two three S');
  });
});

function schemaWith(properties: Record<string, unknown>): ModelSchema {
  return { version: 'v', input: { type: 'object', properties }, components: {} };
}

describe('withServerStops', () => {
  const llama = schemaWith({ prompt: { type: 'string' }, stop_sequences: { type: 'string', default: '<|end_of_text|>,<|eot_id|>' } });

  test('adds the stops to the model\'s default ones as one comma-separated string', () => {
    assert.deepEqual(withServerStops({ prompt: 'p' }, ['END', '<|eot_id|>'], llama), { prompt: 'p', stop_sequences: '<|end_of_text|>,<|eot_id|>,END' });
  });

  test('leaves the input alone when the user set it, a stop has a comma, or the model has no such input', () => {
    assert.deepEqual(withServerStops({ prompt: 'p', stop_sequences: 'mine' }, ['END'], llama), { prompt: 'p', stop_sequences: 'mine' });
    assert.deepEqual(withServerStops({ prompt: 'p' }, ['a,b'], llama), { prompt: 'p' });
    assert.deepEqual(withServerStops({ prompt: 'p' }, ['END'], schemaWith({ prompt: { type: 'string' } })), { prompt: 'p' });
    assert.deepEqual(withServerStops({ prompt: 'p' }, [], llama), { prompt: 'p' });
  });
});
