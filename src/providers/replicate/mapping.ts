/** Maps Replicate's JSON objects to the provider-neutral types. */
import { RemoteError } from '../../errors.js';
import type { ModelSchema, Prediction, PredictionStatus } from '../types.js';

/** A prediction as Replicate's API returns it (the fields we read). */
export type RawPrediction = {
  id: string;
  model?: string;
  version?: string;
  status: string;
  input?: Record<string, unknown>;
  output?: unknown;
  error?: unknown;
  logs?: string | null;
  created_at?: string | null;
  started_at?: string | null;
  completed_at?: string | null;
  metrics?: { predict_time?: number } | null;
  urls?: { stream?: string } | null;
  data_removed?: boolean;
};

const STATUSES = new Set<PredictionStatus>(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']);

/** Converts a raw prediction; an unknown status is kept as `processing` so polling goes on. */
export function toPrediction(raw: RawPrediction): Prediction {
  const status = STATUSES.has(raw.status as PredictionStatus) ? (raw.status as PredictionStatus) : 'processing';
  const prediction: Prediction = {
    id: raw.id,
    status,
    version: raw.version ?? 'hidden',
    output: raw.output ?? null,
    error: raw.error === null || raw.error === undefined ? null : typeof raw.error === 'string' ? raw.error : JSON.stringify(raw.error),
    logs: raw.logs ?? '',
  };
  if (raw.created_at) prediction.createdAt = raw.created_at;
  if (raw.started_at) prediction.startedAt = raw.started_at;
  if (raw.completed_at) prediction.completedAt = raw.completed_at;
  if (typeof raw.metrics?.predict_time === 'number') prediction.predictTime = raw.metrics.predict_time;
  if (raw.urls?.stream) prediction.streamUrl = raw.urls.stream;
  if (raw.data_removed) prediction.dataRemoved = true;
  return prediction;
}

/** Extracts the Input/Output schemas from a version object (`{ id, openapi_schema }`). */
export function toModelSchema(version: Record<string, unknown> | null, key: string): ModelSchema {
  if (!version || typeof version.id !== 'string') {
    throw new RemoteError('E_NOT_FOUND', `model ${key} has no published version`, { hint: 'pin a version: owner/name:<64-hex version id>' });
  }
  const openapi = (version.openapi_schema ?? {}) as { components?: { schemas?: Record<string, unknown> } };
  const components = openapi.components?.schemas ?? {};
  const schema: ModelSchema = {
    version: version.id,
    input: (components.Input as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} },
    components,
  };
  if (components.Output) schema.output = components.Output as Record<string, unknown>;
  return schema;
}
