/**
 * The Replicate implementation of the Provider seam: creates predictions itself (never `run()`,
 * which can return partial output), with a short `Prefer: wait`, `Cancel-After` as a server-side
 * backstop, our own retry policy, and recovery from creates whose answer was lost.
 */
import { isDeepStrictEqual } from 'node:util';
import type Replicate from 'replicate';
import { RemoteError, RunPipelineError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { ModelRef } from '../../pipeline/types.js';
import { isTerminal, type CreateGate, type ModelSchema, type Prediction, type PredictionRequest, type Provider } from '../types.js';
import { createReplicateClient, type ReplicateClientOptions } from './client.js';
import { classifyError, isConnectionNeverMade } from './errors.js';
import { toModelSchema, toPrediction, type RawPrediction } from './mapping.js';
import { withRetry, type RetryOptions } from './retry.js';
import { readPredictionStream } from './stream.js';

/** Options for {@link createReplicateProvider}. */
export type ReplicateProviderOptions = ReplicateClientOptions & {
  logger?: Logger;
  /** Seconds a create may be held by `Prefer: wait` (default 5, 0 = no wait). Short, because
   * until the create answers we have no id and cannot cancel. */
  syncWaitSeconds?: number;
  retry?: Omit<RetryOptions, 'signal' | 'onRetry' | 'isSafeToRetry'>;
  /** Shared schema cache (e.g. on disk); the provider also memoises per process. */
  schemaCache?: SchemaCache;
  /** Shared pacing of creates (a batch's rate limiter); none by default. */
  createGate?: CreateGate;
};

/** Storage for model schemas between runs. */
export interface SchemaCache {
  get(key: string): Promise<ModelSchema | undefined>;
  set(key: string, schema: ModelSchema, pinned: boolean): Promise<void>;
}

/** Formats seconds as a Cancel-After duration (`90s`); Replicate's minimum is 5 s. */
export function formatCancelAfter(seconds: number): string {
  return `${Math.max(5, Math.ceil(seconds))}s`;
}

function modelName(model: ModelRef): string {
  return `${model.owner}/${model.name}`;
}

/** How a model's schema is cached: by version when pinned, else by name (its latest version). */
function schemaKey(model: ModelRef): string {
  return model.version ? `${modelName(model)}:${model.version}` : modelName(model);
}

type RawModel = { is_official?: boolean; latest_version?: Record<string, unknown> | null };

/**
 * Only official models run by name (POST /models/{owner}/{name}/predictions); any other answers 404
 * when the prediction is created. Saying so while reading the schema stops the run before it pays
 * for the steps in front of it, and names the version to pin.
 */
function schemaOfModelRunByName(raw: RawModel, key: string): ModelSchema {
  const schema = toModelSchema(raw.latest_version ?? null, key);
  if (raw.is_official === false) {
    throw new RunPipelineError('E_MODEL_REF', `${key} is not an official model, so it cannot be run by name`, {
      hint: `pin a version: ${key}:${schema.version} (its latest)`,
    });
  }
  return schema;
}

/** A Provider backed by the `replicate` client. */
export function createReplicateProvider(options: ReplicateProviderOptions): Provider & { client: Replicate } {
  const client = createReplicateClient(options);
  const logger = options.logger;
  const syncWaitSeconds = Math.min(60, Math.max(0, Math.round(options.syncWaitSeconds ?? 5)));
  const schemas = new Map<string, Promise<ModelSchema>>();

  const retrying = <T>(operation: string, call: (attempt: number) => Promise<T>, signal?: AbortSignal, isSafeToRetry?: (error: RunPipelineError) => boolean) =>
    withRetry(
      async (attempt) => {
        try {
          return await call(attempt);
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          throw classifyError(error, operation);
        }
      },
      {
        ...options.retry,
        ...(signal ? { signal } : {}),
        ...(isSafeToRetry ? { isSafeToRetry } : {}),
        onRetry: ({ error, attempt, delayMs }) =>
          logger?.warn({ event: 'retry-schedule', operation, code: error.code, attempt, delayMs: Math.round(delayMs) }, `${error.message}; retrying in ${(delayMs / 1000).toFixed(1)} s`),
      },
    );

  async function fetchSchema(model: ModelRef, key: string, signal?: AbortSignal): Promise<ModelSchema> {
    const cached = await options.schemaCache?.get(key);
    if (cached) return cached;
    const schema = model.version
      ? await retrying(`fetching the schema of ${key}`, () => client.models.versions.get(model.owner, model.name, model.version as string, signal ? { signal } : {}), signal)
          .then((version) => toModelSchema(version as unknown as Record<string, unknown>, key))
      : await retrying(`fetching the model ${key}`, () => client.models.get(model.owner, model.name, signal ? { signal } : {}), signal)
          .then((raw) => schemaOfModelRunByName(raw as unknown as RawModel, key));
    await options.schemaCache?.set(key, schema, Boolean(model.version));
    return schema;
  }

  /** After a create whose answer was lost, looks for the prediction it may have made anyway. */
  async function findCreated(request: PredictionRequest, since: number): Promise<Prediction | undefined> {
    const page = (await client.predictions.list()) as unknown as { results?: RawPrediction[] };
    const match = (page.results ?? []).find((raw) => {
      const created = Date.parse(raw.created_at ?? '');
      const sameModel = request.model.version ? raw.version === request.model.version : raw.model === modelName(request.model);
      return sameModel && created >= since - 5000 && isDeepStrictEqual(raw.input, request.input);
    });
    return match ? toPrediction(match) : undefined;
  }

  /**
   * A create aborted after it was sent (Ctrl-C or a timeout while the request was held) may have
   * made a prediction whose id we never saw: find it and cancel it, so it is not left running.
   */
  async function cancelOrphan(request: PredictionRequest, since: number): Promise<void> {
    try {
      const found = await findCreated(request, since);
      if (!found || isTerminal(found.status)) return;
      await client.predictions.cancel(found.id);
      logger?.warn({ event: 'prediction-cancel', predictionId: found.id, orphan: true }, `canceled prediction ${found.id}, created by a request that was interrupted`);
    } catch (error) {
      logger?.error({ event: 'prediction-cancel-fail', error: String(error) }, 'an interrupted create may have left a prediction running: check https://replicate.com/predictions');
    }
  }

  async function createPrediction(request: PredictionRequest): Promise<Prediction> {
    const operation = `creating a prediction for ${modelName(request.model)}`;
    const headers: Record<string, string> = {};
    if (syncWaitSeconds > 0 && request.syncWait !== false) headers.Prefer = `wait=${syncWaitSeconds}`;
    if (request.cancelAfterSeconds !== undefined) headers['Cancel-After'] = formatCancelAfter(request.cancelAfterSeconds);
    const route = request.model.version ? '/predictions' : `/models/${modelName(request.model)}/predictions`;
    const data = request.model.version ? { version: request.model.version, input: request.input } : { input: request.input };
    const startedAt = Date.now();
    let ambiguous = false;
    let sent = false;
    const prediction = await retrying(
      operation,
      async () => {
        if (ambiguous) {
          const found = await findCreated(request, startedAt).catch(() => undefined);
          if (found) {
            logger?.warn({ event: 'prediction-recover', predictionId: found.id }, `recovered prediction ${found.id} whose create answer was lost`);
            return found;
          }
        }
        await options.createGate?.acquire(request.signal);
        sent = true;
        try {
          const response = await client.request(route, { method: 'POST', headers, data, ...(request.signal ? { signal: request.signal } : {}) });
          options.createGate?.onAccepted();
          return toPrediction((await response.json()) as RawPrediction);
        } catch (error) {
          const classified = request.signal?.aborted ? error : classifyError(error, operation);
          if (classified instanceof RemoteError && classified.code === 'E_RATE_LIMIT') options.createGate?.onThrottled(classified.retryAfterSeconds);
          throw classified;
        }
      },
      request.signal,
      (error) => {
        // A 429 or a connection never made created nothing. Anything else may have created a
        // prediction we cannot see: retry only after looking for it, so we never pay twice.
        if (error.code === 'E_RATE_LIMIT') return true;
        if (error.code === 'E_NETWORK' && isConnectionNeverMade(error)) return true;
        ambiguous = true;
        return true;
      },
    ).catch(async (error: unknown) => {
      if (sent && request.signal?.aborted) await cancelOrphan(request, startedAt);
      throw error;
    });
    logger?.info({ event: 'prediction-create', model: request.model.version ? `${modelName(request.model)}:${request.model.version.slice(0, 8)}` : modelName(request.model), predictionId: prediction.id, status: prediction.status }, `prediction ${prediction.id} created`);
    return prediction;
  }

  return {
    client,
    getModelSchema(model, callOptions = {}) {
      const key = schemaKey(model);
      let pending = schemas.get(key);
      if (!pending) {
        pending = fetchSchema(model, key, callOptions.signal);
        pending.catch(() => schemas.delete(key));
        schemas.set(key, pending);
      }
      return pending;
    },
    createPrediction,
    findCreatedPrediction: (request, sinceMs) => findCreated(request, sinceMs),
    async getPrediction(id, callOptions = {}) {
      const raw = await retrying(`polling prediction ${id}`, () => client.predictions.get(id, callOptions.signal ? { signal: callOptions.signal } : {}), callOptions.signal);
      return toPrediction(raw as unknown as RawPrediction);
    },
    async cancelPrediction(id) {
      const raw = await retrying(`canceling prediction ${id}`, () => client.predictions.cancel(id));
      logger?.info({ event: 'prediction-cancel', predictionId: id }, `prediction ${id} canceled`);
      return toPrediction(raw as unknown as RawPrediction);
    },
    streamPrediction(prediction, callOptions = {}) {
      if (!prediction.streamUrl) throw new RemoteError('E_HTTP', `prediction ${prediction.id} has no stream`);
      return readPredictionStream(prediction.streamUrl, { ...(options.fetch ? { fetch: options.fetch } : {}), ...(callOptions.signal ? { signal: callOptions.signal } : {}) });
    },
  };
}
