/**
 * Polls a prediction until it reaches a terminal status. A create answered under `Prefer: wait`
 * may say `processing` (finished, per the sync API's quirk) or `starting` (still running): only
 * `succeeded`, `failed`, `canceled` and `aborted` end the wait.
 */
import { isTerminal, type Prediction, type Provider } from '../providers/types.js';
import { sleep } from '../providers/replicate/retry.js';

/** Options for {@link waitForPrediction}. */
export type WaitOptions = {
  /** Delay between polls (default 500 ms, Replicate's clients' own default). */
  pollIntervalMs?: number;
  /** Polls slow down to this after a minute of waiting (default 2000 ms). */
  maxPollIntervalMs?: number;
  signal?: AbortSignal;
  onUpdate?: (prediction: Prediction) => void;
  /** Ask at once instead of sleeping first (a held create that came back has likely finished). */
  immediate?: boolean;
  /** Stops waiting early when this returns true for a prediction seen (a stop sequence appeared). */
  until?: (prediction: Prediction) => boolean;
};

/** Returns the prediction once terminal (or `until` holds); rejects with the signal's reason if aborted first. */
export async function waitForPrediction(provider: Provider, prediction: Prediction, options: WaitOptions = {}): Promise<Prediction> {
  const interval = options.pollIntervalMs ?? 500;
  const maxInterval = Math.max(interval, options.maxPollIntervalMs ?? 2000);
  const started = Date.now();
  let current = prediction;
  let first = true;
  while (!isTerminal(current.status) && !options.until?.(current)) {
    if (!(first && options.immediate)) await sleep(Date.now() - started > 60_000 ? maxInterval : interval, options.signal);
    first = false;
    current = await provider.getPrediction(current.id, options.signal ? { signal: options.signal } : {});
    options.onUpdate?.(current);
  }
  return current;
}
