/**
 * Reads a prediction's `urls.stream` ourselves instead of through the client's `stream()`, which
 * creates its own prediction and hides its id (so a stop sequence or Ctrl-C could not cancel it)
 * and leaves the connection open when the loop is left early.
 */
import { RemoteError } from '../../errors.js';
import type { StreamEvent } from '../types.js';
import { classifyError } from './errors.js';
import { decodeUtf8, parseServerSentEvents } from './sse.js';

/** Options for {@link readPredictionStream}. */
export type ReadStreamOptions = {
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
};

/** The `reason` of a `done` event's JSON data (`{"reason":"canceled"}`), if any. */
function doneReason(data: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    const reason = parsed && typeof parsed === 'object' ? (parsed as { reason?: unknown }).reason : undefined;
    return typeof reason === 'string' && reason !== '' ? reason : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Yields the stream's events until `done` (or the server closes it). A dropped connection
 * rejects with an E_NETWORK error; the caller decides how to carry on (poll the prediction).
 * No Authorization header is sent: the stream host does not need the token, and it is not the
 * API's origin, so the token must not travel there.
 */
export async function* readPredictionStream(url: string, options: ReadStreamOptions = {}): AsyncGenerator<StreamEvent> {
  const doFetch = options.fetch ?? globalThis.fetch;
  // Our own controller, so leaving the loop early closes the connection instead of letting the
  // server go on writing into a socket nobody reads.
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const operation = 'reading the prediction stream';
  try {
    let response: Response;
    try {
      response = await doFetch(url, { headers: { Accept: 'text/event-stream', 'Cache-Control': 'no-store' }, signal });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw classifyError(error, operation);
    }
    if (!response.ok || !response.body) {
      const body = await response.text().catch(() => '');
      throw new RemoteError('E_HTTP', `${operation}: the stream answered ${response.status}`, { statusCode: response.status, responseBody: body, retryable: response.status >= 500 });
    }
    try {
      for await (const event of parseServerSentEvents(decodeUtf8(response.body))) {
        if (event.event === 'output') yield { type: 'output', data: event.data };
        else if (event.event === 'logs') yield { type: 'logs', data: event.data };
        else if (event.event === 'error') yield { type: 'error', data: event.data };
        else if (event.event === 'done') {
          const reason = doneReason(event.data);
          yield reason === undefined ? { type: 'done' } : { type: 'done', reason };
          return;
        }
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw classifyError(error, operation);
    }
  } finally {
    controller.abort();
  }
}
