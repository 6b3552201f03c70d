/**
 * One prediction of a step, from create (or adopting an earlier run's) to its end. The rule that
 * keeps money safe lives here: any prediction we stop following before it ends — an error, a
 * timeout, Ctrl-C — is canceled before we let go of it.
 */
import type { Logger } from '../logger.js';
import type { Step } from '../pipeline/types.js';
import { isTerminal, type Prediction, type Provider } from '../providers/types.js';
import { followPrediction, type FollowResult } from './follow.js';
import type { LiveText } from './live-text.js';
import type { StepRecord } from './record.js';
import { queueMilliseconds, type RunTally } from './tally.js';

/** What {@link runPrediction} needs besides the step and its input. */
export type PredictionContext = {
  provider: Provider;
  tally: RunTally;
  /** The step's signal: the user's interrupt and every time limit that applies. */
  signal?: AbortSignal;
  /** Seconds until the step's limit, sent as Cancel-After so Replicate stops it even if we die. */
  cancelAfterSeconds?: number;
  /** Text steps: the growing output, its stop detection and live display. */
  live?: LiveText;
  /** Read the live stream when the prediction offers one. */
  stream: boolean;
  pollIntervalMs?: number;
  logger?: Logger;
  onCreate?: (prediction: Prediction) => void;
};

/** An earlier run's prediction, if it can still give us its result (running, or succeeded with its output kept). */
async function adoptPrediction(provider: Provider, id: string, logger?: Logger): Promise<Prediction | undefined> {
  try {
    const found = await provider.getPrediction(id);
    const usable = !isTerminal(found.status) || (found.status === 'succeeded' && !found.dataRemoved);
    logger?.info({ event: 'prediction-adopt', predictionId: id, status: found.status, usable }, usable ? `adopted prediction ${id} from the earlier run` : `earlier prediction ${id} is ${found.status}; creating a new one`);
    return usable ? found : undefined;
  } catch {
    return undefined;
  }
}

/** Copies what the record keeps of a prediction into the step's record. */
function recordPrediction(stepRecord: StepRecord, prediction: Prediction): void {
  stepRecord.prediction_id = prediction.id;
  stepRecord.version = prediction.version === 'hidden' ? stepRecord.version : prediction.version;
  stepRecord.created_at = prediction.createdAt ?? stepRecord.created_at;
  stepRecord.started_at = prediction.startedAt ?? stepRecord.started_at;
  stepRecord.completed_at = prediction.completedAt ?? stepRecord.completed_at;
  stepRecord.metrics.predict_time = prediction.predictTime ?? stepRecord.metrics.predict_time;
  stepRecord.queue_ms = queueMilliseconds(prediction) ?? stepRecord.queue_ms;
}

async function createOne(step: Step, input: Record<string, unknown>, context: PredictionContext): Promise<Prediction> {
  context.tally.reserve(step.id);
  try {
    return await context.provider.createPrediction({
      model: step.modelRef,
      input,
      // Text steps follow the prediction live and may cancel it at a stop: they need its id now.
      syncWait: context.live === undefined,
      ...(context.cancelAfterSeconds === undefined ? {} : { cancelAfterSeconds: context.cancelAfterSeconds }),
      ...(context.signal ? { signal: context.signal } : {}),
    });
  } catch (error) {
    // A refused create made nothing; an aborted one may have, and was canceled, but it counts.
    if (!context.signal?.aborted) context.tally.release();
    throw error;
  }
}

/** Creates one prediction (or adopts `adoptId`) and follows it; cancels it if we stop following before it ends. */
export async function runPrediction(step: Step, input: Record<string, unknown>, stepRecord: StepRecord, context: PredictionContext, adoptId?: string): Promise<FollowResult> {
  const { provider, signal } = context;
  let current = adoptId ? await adoptPrediction(provider, adoptId, context.logger) : undefined;
  const created = current === undefined;
  if (current) stepRecord.resumed = 'adopted';
  current ??= await createOne(step, input, context);
  const update = (prediction: Prediction) => {
    current = prediction;
    recordPrediction(stepRecord, prediction);
    if (created && isTerminal(prediction.status)) context.tally.settle(prediction);
  };
  update(current);
  context.onCreate?.(current);
  try {
    const result = await followPrediction(provider, current, {
      stops: step.stop,
      stream: context.stream,
      heldCreate: created && context.live === undefined,
      onUpdate: update,
      ...(context.live ? { live: context.live } : {}),
      ...(context.pollIntervalMs === undefined ? {} : { pollIntervalMs: context.pollIntervalMs }),
      ...(signal ? { signal } : {}),
      ...(context.logger ? { logger: context.logger } : {}),
    });
    update(result.prediction);
    return result;
  } catch (error) {
    if (!isTerminal(current.status)) {
      const abandoned = current.id;
      await provider.cancelPrediction(abandoned).then(update, (cancelError: unknown) => {
        context.logger?.error({ event: 'prediction-cancel-fail', predictionId: abandoned, error: String(cancelError) }, `could not cancel prediction ${abandoned}: cancel it at https://replicate.com/p/${abandoned}`);
      });
    }
    throw error;
  }
}
