/**
 * The one retry policy for calls to Replicate, on p-retry: 429 waits for Retry-After (or the
 * "resets in ~Ns" in the body) without using up the retry budget; 5xx and network errors back
 * off exponentially; everything else fails at once.
 */
import pRetry from 'p-retry';
import { RemoteError, RunPipelineError } from '../../errors.js';
import { isAbortError } from './errors.js';

/** Tunables of {@link withRetry}; times in milliseconds so tests run fast. */
export type RetryOptions = {
  /** Retries for 5xx and network errors (default 4). */
  retries?: number;
  /** First backoff delay (default 500 ms), doubled each time up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** How many 429s one call may wait out before giving up (default 20). */
  maxRateLimitWaits?: number;
  /** Wait when a 429 names no time (default 5000 ms, doubled each time). */
  defaultRateLimitDelayMs?: number;
  /** Scales every server-given wait; 1 in production, small in tests. */
  retryAfterScale?: number;
  signal?: AbortSignal;
  /** Decides, for an error the policy would retry, whether it is safe to (creates may not be). */
  isSafeToRetry?: (error: RunPipelineError) => boolean;
  onRetry?: (event: { error: RunPipelineError; attempt: number; delayMs: number }) => void;
};

/** Resolves after `milliseconds`, or rejects with the signal's reason when it aborts. */
export function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function isRateLimit(error: unknown): error is RemoteError {
  return error instanceof RemoteError && error.code === 'E_RATE_LIMIT';
}

/** Runs `call` under the retry policy; `call` must throw classified RunPipelineErrors. */
export async function withRetry<T>(call: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxRateLimitWaits = options.maxRateLimitWaits ?? 20;
  const defaultRateLimitDelayMs = options.defaultRateLimitDelayMs ?? 5000;
  const scale = options.retryAfterScale ?? 1;
  let rateLimitWaits = 0;
  return pRetry(call, {
    retries: options.retries ?? 4,
    minTimeout: options.minDelayMs ?? 500,
    maxTimeout: options.maxDelayMs ?? 10_000,
    factor: 2,
    randomize: true,
    ...(options.signal ? { signal: options.signal } : {}),
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (isAbortError(error) || !(error instanceof RunPipelineError) || !error.retryable) return;
      if (options.isSafeToRetry && !options.isSafeToRetry(error)) throw error;
      if (!isRateLimit(error)) {
        options.onRetry?.({ error, attempt: attemptNumber, delayMs: options.minDelayMs ?? 500 });
        return;
      }
      rateLimitWaits += 1;
      if (rateLimitWaits > maxRateLimitWaits) throw error;
      const fallback = Math.min(defaultRateLimitDelayMs * 2 ** (rateLimitWaits - 1), 60_000);
      const delayMs =
        error.retryAfterSeconds === undefined ? fallback : Math.max(0, error.retryAfterSeconds * 1000) * scale;
      options.onRetry?.({ error, attempt: attemptNumber, delayMs });
      await sleep(delayMs, options.signal);
    },
    // A 429 already waited as long as the server asked; it must not also eat the 5xx budget.
    shouldConsumeRetry: ({ error }) => !isRateLimit(error),
    shouldRetry: ({ error }) => !isAbortError(error) && error instanceof RunPipelineError && error.retryable,
  });
}
