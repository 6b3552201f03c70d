/**
 * Follows one created prediction to its end. Text steps read the live stream when there is one
 * (tokens shown as they come, stop sequences caught at once) and poll otherwise, watching the
 * growing output for a stop the same way. A stop cancels the prediction there and then, because
 * Replicate bills compute time: every token after the stop would be paid for and thrown away.
 * Whatever the stream did, the final word comes from the API's own view of the prediction.
 */
import type { Logger } from '../logger.js';
import { isTerminal, type Prediction, type Provider } from '../providers/types.js';
import type { LiveText } from './live-text.js';
import { cutAtStop } from './stop.js';
import { waitForPrediction } from './wait.js';

/** Options for {@link followPrediction}. */
export type FollowOptions = {
  /** Present for text steps: accumulates the output, watches for stops, feeds the display. */
  live?: LiveText;
  stops: readonly string[];
  /** Read the SSE stream when the prediction offers one (default true). */
  stream?: boolean;
  /** The create was held by `Prefer: wait`: if it came back unfinished-looking, ask again at once. */
  heldCreate?: boolean;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  onUpdate?: (prediction: Prediction) => void;
  logger?: Logger;
};

/** The followed prediction; `stoppedText` is set when a stop sequence ended it early. */
export type FollowResult = { prediction: Prediction; stoppedText?: string };

/** A text output as far as it goes: a string, or a token list joined. */
export function textOfOutput(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return output.filter((item): item is string => typeof item === 'string').join('');
  return '';
}

type StreamOutcome = 'stopped' | 'ended' | 'dropped';

/** Reads the stream until done, a stop, or a drop; only an abort of `signal` throws. */
async function readStream(provider: Provider, prediction: Prediction, live: LiveText, options: FollowOptions): Promise<StreamOutcome> {
  const stream = provider.streamPrediction?.(prediction, options.signal ? { signal: options.signal } : {});
  if (!stream) return 'ended';
  try {
    for await (const event of stream) {
      if (event.type === 'output' && live.append(event.data)) return 'stopped';
      if (event.type === 'error') options.logger?.warn({ event: 'stream-error', predictionId: prediction.id, detail: event.data }, `prediction ${prediction.id} reported an error`);
      if (event.type === 'done') return 'ended';
    }
    return 'dropped';
  } catch (error) {
    if (options.signal?.aborted) throw error;
    options.logger?.warn({ event: 'stream-drop', predictionId: prediction.id, error: error instanceof Error ? error.message : String(error) }, `the stream of prediction ${prediction.id} broke off; polling instead`);
    return 'dropped';
  }
}

/** Cancels a generation that reached a stop, then waits for its final (billed) state. */
async function stopGeneration(provider: Provider, prediction: Prediction, live: LiveText, options: FollowOptions): Promise<FollowResult> {
  options.logger?.info({ event: 'stop-sequence', predictionId: prediction.id }, `stop sequence reached; canceling prediction ${prediction.id}`);
  let current = await provider.cancelPrediction(prediction.id);
  options.onUpdate?.(current);
  if (!isTerminal(current.status)) current = await waitForPrediction(provider, current, pollOptions(options));
  return { prediction: current, stoppedText: cutAtStop(live.accumulated, options.stops).text };
}

function pollOptions(options: FollowOptions) {
  return {
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onUpdate ? { onUpdate: options.onUpdate } : {}),
  };
}

/** Follows `created` until it is terminal, or until a stop sequence ends it (then it is canceled). */
export async function followPrediction(provider: Provider, created: Prediction, options: FollowOptions): Promise<FollowResult> {
  const { live } = options;
  let current = created;
  if (live && options.stream !== false && current.streamUrl && provider.streamPrediction && !isTerminal(current.status)) {
    const outcome = await readStream(provider, current, live, options);
    if (outcome === 'stopped') return stopGeneration(provider, current, live, options);
    // The stream may end a moment before the API records the final state: ask, then poll.
    current = await provider.getPrediction(current.id, options.signal ? { signal: options.signal } : {});
    options.onUpdate?.(current);
  }
  const watch = live ? (prediction: Prediction) => live.replace(textOfOutput(prediction.output)) : undefined;
  if (watch?.(current) && !isTerminal(current.status)) return stopGeneration(provider, current, live as LiveText, options);
  // The sync API says `processing` for a create that finished while held: fetch the result now.
  const immediate = options.heldCreate === true && current.status === 'processing';
  current = await waitForPrediction(provider, current, { ...pollOptions(options), immediate, ...(watch ? { until: watch } : {}) });
  if (!isTerminal(current.status)) return stopGeneration(provider, current, live as LiveText, options);
  return { prediction: current };
}
