/**
 * Handlers for predictions: create (by version or official model name), get, cancel, list, the
 * SSE stream and file downloads.
 */
import { resolveOfficial, resolveVersionReference, modelKey } from './fake-model.js';
import type { ResolvedVersion } from './fake-model.js';
import { FakePrediction } from './fake-prediction.js';
import type { PredictionObject } from './fake-prediction.js';
import { ERROR_BODIES, headerValue, parseCancelAfter, parsePreferWait, sendJson } from './http-helpers.js';
import { inputValidationBody, validateInput } from './input-validation.js';
import type { RouteContext } from './server-state.js';
import { streamPrediction } from './sse.js';

const PAGE_SIZE = 100;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** POST /v1/predictions: `version` is an id, `owner/name:id`, or an official `owner/name`. */
export async function createPrediction(context: RouteContext): Promise<void> {
  const body = isRecord(context.body) ? context.body : {};
  const resolved = resolveVersionReference(context.state.models, body['version']);
  if (!resolved) return sendJson(context.response, 422, ERROR_BODIES.invalidVersion);
  await startPrediction(context, resolved, body['input']);
}

/** POST /v1/models/{owner}/{name}/predictions: only official models run by name. */
export async function createModelPrediction(context: RouteContext): Promise<void> {
  const [owner = '', name = ''] = context.params;
  const model = context.state.models.get(modelKey(owner, name));
  const resolved = model ? resolveOfficial(model) : null;
  if (!resolved) return sendJson(context.response, 404, ERROR_BODIES.notFound);
  const body = isRecord(context.body) ? context.body : {};
  await startPrediction(context, resolved, body['input']);
}

/** Validates, creates, and answers at once or after a `Prefer: wait` hold. */
async function startPrediction(context: RouteContext, resolved: ResolvedVersion, input: unknown): Promise<void> {
  const { state, request, response } = context;
  const problems = validateInput(input, resolved.version.openapiSchema);
  if (problems.length > 0 || !isRecord(input)) return sendJson(response, 422, inputValidationBody(problems));
  const cancelAfterMs = parseCancelAfter(headerValue(request, 'cancel-after'));
  const prediction = new FakePrediction({
    model: resolved.model,
    publicVersion: resolved.publicVersion,
    input,
    serverUrl: state.url,
    ...(cancelAfterMs === null ? {} : { cancelAfterMs }),
  });
  state.predictions.set(prediction.id, prediction);
  const waitMs = parsePreferWait(headerValue(request, 'prefer'));
  if (waitMs === null) return sendJson(response, 201, prediction.object);
  const settled = await prediction.whenSettled(Math.min(waitMs, state.maxSyncWaitMs));
  sendJson(response, settled ? 201 : 202, syncView(prediction.object, settled, state.syncFinishedStatus));
}

/**
 * The object a held create returns, with the real API's status quirks: a finished success may say
 * `processing`, and a timed-out wait says `starting` even when the model is already processing.
 */
function syncView(
  object: PredictionObject,
  settled: boolean,
  finishedStatus: 'succeeded' | 'processing',
): PredictionObject {
  if (!settled) return { ...object, status: 'starting' };
  return object.status === 'succeeded' ? { ...object, status: finishedStatus } : object;
}

/** GET /v1/predictions/{id}. */
export function getPrediction(context: RouteContext): void {
  const prediction = context.state.predictions.get(context.params[0] ?? '');
  if (!prediction) return sendJson(context.response, 404, ERROR_BODIES.notFound);
  sendJson(context.response, 200, prediction.object);
}

/** POST /v1/predictions/{id}/cancel: stops generation now; a terminal prediction comes back unchanged. */
export function cancelPrediction(context: RouteContext): void {
  const prediction = context.state.predictions.get(context.params[0] ?? '');
  if (!prediction) return sendJson(context.response, 404, ERROR_BODIES.notFound);
  prediction.cancel();
  sendJson(context.response, 200, prediction.object);
}

/** GET /v1/predictions: newest first, 100 per page, `cursor` is an offset wrapped in the `next` URL. */
export function listPredictions(context: RouteContext): void {
  const all = [...context.state.predictions.values()].reverse();
  const offset = Math.max(0, Number(context.url.searchParams.get('cursor') ?? 0) || 0);
  const page = all.slice(offset, offset + PAGE_SIZE).map((prediction) => prediction.object);
  const pageUrl = (cursor: number): string => `${context.state.url}/v1/predictions?cursor=${cursor}`;
  sendJson(context.response, 200, {
    next: offset + PAGE_SIZE < all.length ? pageUrl(offset + PAGE_SIZE) : null,
    previous: offset > 0 ? pageUrl(Math.max(0, offset - PAGE_SIZE)) : null,
    results: page,
  });
}

/** GET /v1/stream/{id}: the SSE stream, with no token, as the JS client sends none. */
export function streamPredictionRoute(context: RouteContext): void {
  const prediction = context.state.predictions.get(context.params[0] ?? '');
  if (!prediction?.urls.stream) return sendJson(context.response, 404, ERROR_BODIES.notFound);
  const { streams } = context.state;
  streams.add(context.response);
  context.response.on('close', () => streams.delete(context.response));
  streamPrediction(prediction, context.request, context.response);
}

/** GET /files/{predictionId}/{name}: output files, unauthenticated like replicate.delivery. */
export function downloadFile(context: RouteContext): void {
  const [predictionId = '', encodedName = ''] = context.params;
  const file = context.state.predictions.get(predictionId)?.files.get(decodeURIComponent(encodedName));
  if (!file) return sendJson(context.response, 404, ERROR_BODIES.notFound);
  context.response.writeHead(200, {
    'Content-Type': file.contentType,
    'Content-Length': file.bytes.byteLength,
  });
  context.response.end(file.bytes);
}
