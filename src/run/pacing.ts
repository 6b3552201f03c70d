/**
 * One pace for every prediction create of a batch (REFERENCE §7.9: many workers, one rate limit).
 * Creates are spaced at a rate that starts modest, grows by a quarter with each accepted create
 * while the gate is what holds workers back (slow start), is cut on a 429 (multiplicative
 * decrease, once per congestion event), then creeps back up (additive increase): AIMD, as TCP
 * does. The throttled request itself waits its own Retry-After in the retry policy; the others
 * just slow down, because pausing every worker for each Retry-After throws capacity away.
 */
import type { CreateGate } from '../providers/types.js';
import { sleep } from '../providers/replicate/retry.js';

/**
 * Growth per accepted create while no 429 has been seen and the gate is what holds workers back.
 * A worker has at most one create in flight, so an overshoot is at most a few 429s, while a slower
 * start (one more create a second per accept) took seconds to reach a fast model's pace.
 */
const SLOW_START_FACTOR = 1.25;

/** Tunables of {@link createPacingGate}; rates in creates per second. */
export type PacingOptions = {
  /** Starting rate (default 10/s, Replicate's documented 600 creates a minute). */
  initialRate?: number;
  /** Floor of the rate (default 0.1/s). */
  minRate?: number;
  /** Ceiling of the rate (default none). */
  maxRate?: number;
  /** Factor applied on a 429 (default 0.75). */
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

/** Creates the AIMD gate shared by all rows of a batch. */
export function createPacingGate(options: PacingOptions = {}): PacingGate {
  const now = options.now ?? (() => performance.now());
  const minRate = options.minRate ?? 0.1;
  const maxRate = options.maxRate ?? Number.POSITIVE_INFINITY;
  const decrease = options.decrease ?? 0.75;
  const cooldownMs = options.cooldownMs ?? 1000;
  let rate = Math.min(maxRate, Math.max(minRate, options.initialRate ?? 10));
  let slowStart = true;
  let increase = options.increase ?? 0;
  let nextSlot = 0;
  let pausedUntil = 0;
  let lastCut = Number.NEGATIVE_INFINITY;
  let generation = 0;
  // Raise the rate only while it is what holds workers back; idle capacity proves nothing.
  let binding = false;
  const stats = { accepted: 0, throttled: 0, cuts: 0 };
  // Accept times of the last second: the rate never runs ahead of twice what the API really took,
  // so a fast start cannot leave a rate so high that cutting it back takes a storm of 429s.
  const recent: number[] = [];

  return {
    async acquire(signal) {
      for (;;) {
        const seen = generation;
        const current = now();
        const slot = Math.max(current, nextSlot, pausedUntil);
        nextSlot = slot + 1000 / rate;
        if (slot <= current) return;
        binding = true;
        await sleep(slot - current, signal);
        // A cut while we slept re-plans every waiting create at the new pace.
        if (seen === generation) return;
      }
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
      rate = Math.max(minRate, rate * decrease);
      slowStart = false;
      increase = options.increase ?? Math.max(0.2, rate * 0.05);
      nextSlot = Math.max(pausedUntil, current + 1000 / rate);
      generation += 1;
    },
    stats: () => ({ rate, ...stats }),
  };
}
