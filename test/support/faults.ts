/**
 * Probabilistic faults and a create rate limit for the fake server, so batch tests meet what a
 * long unattended run meets: 429s with Retry-After, 5xx, dropped connections (before and after a
 * prediction was created), failed predictions. Decisions come from a seeded generator, so a test
 * sees the same sequence of faults every run (which request gets which depends on timing).
 */
import type { FakeModel, FakeOutput } from './fake-model.js';

/** Fault rates are probabilities per request (0..1); all default to 0. */
export type FaultOptions = {
  /** Seed of the generator (default 1). */
  seed?: number;
  /** Creates answered 429 with `Retry-After: retryAfterSeconds`, creating nothing. */
  throttleRate?: number;
  /** The Retry-After of injected and rate-limit 429s (default 1; may be fractional). */
  retryAfterSeconds?: number;
  /** API requests (creates and polls) answered 503 before doing anything. */
  serverErrorRate?: number;
  /** API requests whose connection is dropped before anything is done. */
  dropRate?: number;
  /** Creates that create the prediction, then drop the connection: the answer is lost, the prediction runs. */
  createThenDropRate?: number;
  /** Predictions that fail as a model error (`status: failed`). */
  failRate?: number;
  /** At most `limit` accepted creates in any `windowMs`; more get 429 with the time until a slot frees. */
  createRateLimit?: { limit: number; windowMs: number; wholeSeconds?: boolean };
};

/** What the server does with one request. */
export type FaultAction =
  | { kind: 'respond'; status: number; headers?: Record<string, string>; body: unknown }
  | { kind: 'drop' }
  | { kind: 'create-then-drop' };

/** Counts of what was injected, for test assertions and the benchmark. */
export type FaultCounts = { throttled: number; rateLimited: number; serverErrors: number; drops: number; createThenDrops: number; failures: number };

/** A seeded generator (mulberry32): small, fast, and the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fault plan of one server. */
export type Faults = {
  /** Decides for an API request (`isCreate` for prediction creates); undefined = answer normally. */
  decide(isCreate: boolean, now: number): FaultAction | undefined;
  /** Records an accepted create for the rate limit. */
  accepted(now: number): void;
  /** The model with failures injected into its runs. */
  wrapModel(model: FakeModel): FakeModel;
  counts: FaultCounts;
};

function throttle(seconds: number): FaultAction {
  return {
    kind: 'respond',
    status: 429,
    headers: { 'Retry-After': String(seconds) },
    body: { detail: `Request was throttled. Your rate limit resets in ~${Math.max(1, Math.ceil(seconds))}s.` },
  };
}

/** Builds the fault plan for a server. */
export function createFaults(options: FaultOptions): Faults {
  const random = seededRandom(options.seed ?? 1);
  const retryAfter = options.retryAfterSeconds ?? 1;
  const counts: FaultCounts = { throttled: 0, rateLimited: 0, serverErrors: 0, drops: 0, createThenDrops: 0, failures: 0 };
  const window: number[] = [];
  const chance = (rate: number | undefined) => rate !== undefined && rate > 0 && random() < rate;
  return {
    counts,
    decide(isCreate, now) {
      if (isCreate && options.createRateLimit) {
        const { limit, windowMs, wholeSeconds } = options.createRateLimit;
        while (window.length > 0 && (window[0] as number) <= now - windowMs) window.shift();
        if (window.length >= limit) {
          counts.rateLimited += 1;
          const waitSeconds = ((window[0] as number) + windowMs - now) / 1000;
          return throttle(wholeSeconds ? Math.max(1, Math.ceil(waitSeconds)) : Math.max(0.001, Math.round(waitSeconds * 1000) / 1000));
        }
      }
      if (isCreate && chance(options.throttleRate)) {
        counts.throttled += 1;
        return throttle(retryAfter);
      }
      if (chance(options.serverErrorRate)) {
        counts.serverErrors += 1;
        return { kind: 'respond', status: 503, body: { detail: 'Service Unavailable (injected)', status: 503 } };
      }
      if (chance(options.dropRate)) {
        counts.drops += 1;
        return { kind: 'drop' };
      }
      if (isCreate && chance(options.createThenDropRate)) {
        counts.createThenDrops += 1;
        return { kind: 'create-then-drop' };
      }
      return undefined;
    },
    accepted(now) {
      if (options.createRateLimit) window.push(now);
    },
    wrapModel(model) {
      if (!options.failRate) return model;
      const run = model.run;
      return {
        ...model,
        run: (input): FakeOutput => {
          if (!chance(options.failRate)) return run(input);
          counts.failures += 1;
          return { error: 'injected failure: CUDA out of memory' };
        },
      };
    },
  };
}
