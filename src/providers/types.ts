/**
 * The seam between the executor and a model host. The executor only speaks this interface;
 * `providers/replicate` implements it on top of the `replicate` client.
 */
import type { ModelRef } from '../pipeline/types.js';

/** A model version's input schema, as published by the host (Cog's `components.schemas.Input`). */
export type ModelSchema = {
  /** The resolved version id (for official models, their latest version). */
  version: string;
  /** `openapi_schema.components.schemas.Input`, `$ref`s not yet resolved. */
  input: Record<string, unknown>;
  /** `openapi_schema.components.schemas.Output`, when published. */
  output?: Record<string, unknown>;
  /** The whole `openapi_schema.components.schemas`, to resolve `$ref`s. */
  components: Record<string, unknown>;
};

/** Terminal and non-terminal prediction statuses. */
export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

const TERMINAL_STATUSES: ReadonlySet<PredictionStatus> = new Set(['succeeded', 'failed', 'canceled', 'aborted']);

/** True once a prediction can no longer change (and no longer bills). `aborted` counts: the JS client's own wait() forgets it and would poll forever. */
export function isTerminal(status: PredictionStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** The provider-neutral view of a prediction. */
export type Prediction = {
  id: string;
  status: PredictionStatus;
  /** The model's version id, or "hidden" for official models. */
  version: string;
  output: unknown;
  error: string | null;
  logs: string;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
  /** Billed compute seconds (Replicate's metrics.predict_time), on terminal predictions. */
  predictTime?: number;
  streamUrl?: string;
  /** Replicate removed the inputs and outputs (about an hour after the prediction). */
  dataRemoved?: boolean;
};

/** What the executor asks a provider to do for one step. */
export type PredictionRequest = {
  model: ModelRef;
  input: Record<string, unknown>;
  signal?: AbortSignal;
  /** Server-side deadline in seconds (Replicate's Cancel-After). */
  cancelAfterSeconds?: number;
  /**
   * Whether the host may hold the create until the model finishes (`Prefer: wait`; default true).
   * Steps that stream or watch for stop sequences say false: a held create hides the prediction's
   * id, and without the id nothing can cancel it.
   */
  syncWait?: boolean;
};

/** One event of a prediction's live output stream. */
export type StreamEvent =
  | { type: 'output'; data: string }
  | { type: 'logs'; data: string }
  | { type: 'error'; data: string }
  /** The stream's end; `reason` is `canceled` or `error` when the prediction did not succeed. */
  | { type: 'done'; reason?: string };

/**
 * Paces prediction creates across everything sharing one account (e.g. all rows of a batch).
 * The provider calls acquire() before each create and reports how the API answered.
 */
export interface CreateGate {
  acquire(signal?: AbortSignal): Promise<void>;
  onAccepted(): void;
  onThrottled(retryAfterSeconds?: number): void;
}

/** A model host. */
export interface Provider {
  /** Fetches (or reads from cache) the model's input schema. */
  getModelSchema(model: ModelRef, options?: { signal?: AbortSignal }): Promise<ModelSchema>;
  /**
   * Creates a prediction and returns it as soon as the host has an id for it. If `signal` aborts
   * while the create is in flight, a prediction it may have made anyway is found and canceled
   * before this rejects.
   */
  createPrediction(request: PredictionRequest): Promise<Prediction>;
  getPrediction(id: string, options?: { signal?: AbortSignal }): Promise<Prediction>;
  cancelPrediction(id: string): Promise<Prediction>;
  /**
   * Follows a prediction's output as it is generated (when it has a stream URL). Ends after
   * `done`; leaving the loop early or aborting `signal` closes the connection. It never cancels
   * the prediction: that stays the caller's decision.
   */
  streamPrediction?(prediction: Prediction, options?: { signal?: AbortSignal }): AsyncIterable<StreamEvent>;
  /**
   * Looks for a prediction of this request created since `sinceMs` (epoch ms) whose id never
   * reached us (a create cut short by a crash), so a resumed batch adopts it instead of paying twice.
   */
  findCreatedPrediction?(request: PredictionRequest, sinceMs: number): Promise<Prediction | undefined>;
}
