/**
 * The server-sent event stream behind `urls.stream`: replays the chunks already produced, follows
 * live ones, and ends with `done` the way Replicate's stream host does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakePrediction } from './fake-prediction.js';

/**
 * Formats one event. Every line of a multi-line chunk becomes its own `data:` line, and exactly
 * one space follows `data:` because parsers strip one: a token's own leading space survives.
 */
export function formatEvent(event: string, data: string, id?: number | string): string {
  const idLine = id === undefined ? '' : `id: ${id}\n`;
  const dataLines = data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
  return `event: ${event}\n${idLine}${dataLines}\n`;
}

/** The closing events for a terminal prediction: error details first on failure, then `done`. */
function closingEvents(prediction: FakePrediction, nextId: number): string {
  switch (prediction.status) {
    case 'failed':
      return (
        formatEvent('error', JSON.stringify({ detail: prediction.error ?? 'Prediction failed' }), nextId) +
        formatEvent('done', JSON.stringify({ reason: 'error' }), nextId + 1)
      );
    case 'canceled':
    case 'aborted':
      return formatEvent('done', JSON.stringify({ reason: 'canceled' }), nextId);
    default:
      return formatEvent('done', '{}', nextId);
  }
}

/**
 * Streams `prediction` to `response` until it is terminal or the client disconnects. Event ids are
 * chunk indexes, so a reconnect with `Last-Event-ID` resumes after the last chunk it saw.
 */
export function streamPrediction(prediction: FakePrediction, request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  response.flushHeaders();
  const lastEventId = Number(request.headers['last-event-id']);
  let sent = Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId + 1 : 0;
  let unsubscribe: () => void = () => undefined;
  const pump = (): void => {
    if (response.destroyed || response.writableEnded) return unsubscribe();
    let text = '';
    for (; sent < prediction.chunks.length; sent += 1) {
      text += formatEvent('output', prediction.chunks[sent] ?? '', sent);
    }
    if (prediction.terminal) text += closingEvents(prediction, sent);
    if (text !== '') response.write(text);
    if (prediction.terminal) {
      unsubscribe();
      response.end();
    }
  };
  const unsubscribeChanges = prediction.subscribe(pump);
  const removeDisposeHook = prediction.onDispose(() => response.destroy());
  unsubscribe = () => {
    unsubscribeChanges();
    removeDisposeHook();
  };
  // Stop following the prediction as soon as the reader goes away; nothing is written after that.
  response.on('close', () => unsubscribe());
  pump();
}
