/**
 * One pace for every prediction create of a batch (REFERENCE §7.9: many workers, one rate limit).
 * Creates are spaced at a rate that starts modest, grows by a quarter with each accepted create
 * while the gate is what holds workers back (slow start), is cut on a 429 (multiplicative
 * decrease, once per congestion event), then creeps back up (additive increase): AIMD, as TCP
 * does. The throttled request itself waits its own Retry-After in the retry policy; the others
 * just slow down, because pausing every worker for each Retry-After throws capacity away.
 */
import type { CreateGate } from '../providers/types.js';

/**
 * Growth per accepted create while no 429 has been seen and the gate is what holds workers back.
 * A worker has at most one create in flight, so an overshoot is at most a few 429s, while a slower
 * start (one more create a second per accept) took seconds to reach a fast model's pace.
 */
const SLOW_START_FACTOR = 1.25;

/** How much of the rate's budget may be spent at once, in milliseconds of it (GCRA tolerance). */
const BURST_MS = 100;

/** Tunables of {@link createPacingGate}; rates in creates per second. */
export type PacingOptions = {
  /** Starting rate (default 10/s, Replicate's documented 600 creates a minute). */
  initialRate?: number;
  /** Floor of the rate (default 0.1/s). */
  minRate?: number;
  /** Ceiling of the rate (default none). */
  maxRate?: number;
  /** Factor applied, on a 429, to the rate the API accepted over the last second (default 0.85). */
  decrease?: number;
  /** Rate added per second of accepted creates after the first 429 (default 5% of the rate at the last cut, at least 0.2/s). */
  increase?: number;
  /** 429s within this long after a cut are the same congestion event (default 1000 ms). */
  cooldownMs?: number;
  /** Scales Retry-After when the gate pauses everyone at its floor (1 in production, small in tests). */
  retryAfterScale?: number;
  now?: () => number;
};

/** What the gate did, for logs and the benchmark. */
export type PacingStats = { rate: number; accepted: number; throttled: number; cuts: number };

/** A CreateGate that also reports its state. */
export type PacingGate = CreateGate & { stats(): PacingStats };

type Waiter = { resolve: () => void; reject: (reason: unknown) => void; signal: AbortSignal | undefined; onAbort: () => void };

/** Creates the AIMD gate shared by all rows of a batch. */
export function createPacingGate(options: PacingOptions = {}): PacingGate {
  const now = options.now ?? (() => performance.now());
  const minRate = options.minRate ?? 0.1;
  const maxRate = options.maxRate ?? Number.POSITIVE_INFINITY;
  const decrease = options.decrease ?? 0.85;
  const cooldownMs = options.cooldownMs ?? 1000;
  let rate = Math.min(maxRate, Math.max(minRate, options.initialRate ?? 10));
  let slowStart = true;
  let increase = options.increase ?? 0;
  // GCRA: the theoretical time of the next create; a create may go up to BURST_MS of budget early.
  let nextSlot = Number.NEGATIVE_INFINITY;
  let pausedUntil = 0;
  let lastCut = Number.NEGATIVE_INFINITY;
  // Raise the rate only while it is what holds workers back; idle capacity proves nothing.
  let binding = false;
  const stats = { accepted: 0, throttled: 0, cuts: 0 };
  // Accept times of the last second: the rate never runs far ahead of what the API really took,
  // so a fast start cannot leave a rate so high that cutting it back takes a storm of 429s.
  const recent: number[] = [];
  // Waiting creates in arrival order, released by one timer that is re-planned whenever the rate
  // changes, so a wait planned at the starting rate does not outlive a faster one.
  const queue: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;

  const release = () => {
    timer = undefined;
    while (queue.length > 0) {
      const current = now();
      const interval = 1000 / rate;
      const allowedAt = Math.max(nextSlot - Math.max(0, BURST_MS - interval), pausedUntil);
      if (allowedAt > current) {
        binding = true;
        timer = setTimeout(release, allowedAt - current);
        return;
      }
      nextSlot = Math.max(nextSlot, current) + interval;
      const waiter = queue.shift() as Waiter;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
  };
  const replan = () => {
    if (timer === undefined) return;
    clearTimeout(timer);
    release();
  };

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            const index = queue.indexOf(waiter);
            if (index !== -1) queue.splice(index, 1);
            if (queue.length === 0 && timer !== undefined) {
              clearTimeout(timer);
              timer = undefined;
            }
            reject(signal?.reason);
          },
        };
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        queue.push(waiter);
        if (timer === undefined) release();
      });
    },
    onAccepted() {
      stats.accepted += 1;
      const current = now();
      recent.push(current);
      while ((recent[0] as number) <= current - 1000) recent.shift();
      if (!binding) return;
      binding = false;
      const span = Math.max(250, current - (recent[0] as number)) / 1000;
      const grown = slowStart ? rate * SLOW_START_FACTOR : rate + increase / rate;
      rate = Math.min(maxRate, Math.max(rate, Math.min(grown, (4 * recent.length) / span)));
      replan();
    },
    onThrottled(retryAfterSeconds) {
      stats.throttled += 1;
      const current = now();
      if (current - lastCut < cooldownMs) return;
      lastCut = current;
      stats.cuts += 1;
      if (rate <= minRate && retryAfterSeconds !== undefined) {
        pausedUntil = current + retryAfterSeconds * 1000 * (options.retryAfterScale ?? 1);
      }
      // Cut from what the API actually took in the last second, not from a rate that ran ahead
      // of it: one cut then lands under the limit instead of a second of 429s per cut.
      while (recent.length > 0 && (recent[0] as number) <= current - 1000) recent.shift();
      const accepted = recent.length > 0 ? recent.length : rate;
      rate = Math.max(minRate, Math.min(rate, accepted) * decrease);
      slowStart = false;
      increase = options.increase ?? Math.max(0.2, rate * 0.05);
      nextSlot = Math.max(pausedUntil, current + 1000 / rate);
      replan();
    },
    stats: () => ({ rate, ...stats }),
  };
}
