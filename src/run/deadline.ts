/**
 * Time limits: the run's `--timeout` and each step's `timeout`. A limit is an abort signal whose
 * reason is an E_TIMEOUT error naming what ran out, so everything already listening to a signal
 * (polls, streams, downloads) stops, and the prediction is canceled like on Ctrl-C.
 */
import { PredictionError, type SourceLocation } from '../errors.js';

/** A time limit layered on a parent signal. */
export type Deadline = {
  /** Aborts when the limit passes or the parent aborts; undefined when neither can happen. */
  signal: AbortSignal | undefined;
  /** Epoch milliseconds when this limit (or an enclosing one) ends; undefined without limit. */
  endsAt: number | undefined;
  /** Seconds left, for Replicate's Cancel-After; undefined without limit. */
  remainingSeconds(): number | undefined;
  /** Stops the timer (always call once the guarded work is over). */
  dispose(): void;
};

/** What a limit is called in its error, and where it was written. */
export type DeadlineLabel = {
  /** Read when the limit passes, so it can name the step running at that moment. */
  message: () => string;
  hint: string;
  location?: SourceLocation;
};

/** Formats seconds the way people wrote them (`0.5 s`, `90 s`, `5 min`). */
export function formatLimit(seconds: number): string {
  if (seconds >= 120 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${Number(seconds.toFixed(2))} s`;
}

/**
 * A limit of `seconds` from now under `parent`; no seconds means only the parent's limits apply.
 * The signal is always a child of its own, linked to the parent by one listener that dispose()
 * removes: a batch runs thousands of steps under one long-lived signal, and every fetch adds a
 * listener to the signal it is given (kept until garbage collection), as does Node 20's
 * AbortSignal.any(). Children keep those per step, so the batch's signal keeps one per running row.
 */
export function createDeadline(seconds: number | undefined, label: DeadlineLabel, parent?: { signal: AbortSignal | undefined; endsAt: number | undefined }): Deadline {
  const parentSignal = parent?.signal;
  const parentEndsAt = parent?.endsAt;
  if (seconds === undefined && parentSignal === undefined) {
    return { signal: undefined, endsAt: parentEndsAt, remainingSeconds: () => remaining(parentEndsAt), dispose: () => undefined };
  }
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parentSignal?.reason);
  if (parentSignal?.aborted) onParentAbort();
  else parentSignal?.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let endsAt = parentEndsAt;
  if (seconds !== undefined) {
    timer = setTimeout(() => {
      controller.abort(new PredictionError('E_TIMEOUT', label.message(), { hint: label.hint, ...(label.location ? { location: label.location } : {}) }));
    }, seconds * 1000);
    timer.unref();
    const ownEndsAt = Date.now() + seconds * 1000;
    endsAt = parentEndsAt === undefined ? ownEndsAt : Math.min(parentEndsAt, ownEndsAt);
  }
  return {
    signal: controller.signal,
    endsAt,
    remainingSeconds: () => remaining(endsAt),
    dispose: () => {
      clearTimeout(timer);
      parentSignal?.removeEventListener('abort', onParentAbort);
    },
  };
}

function remaining(endsAt: number | undefined): number | undefined {
  return endsAt === undefined ? undefined : Math.max(0, (endsAt - Date.now()) / 1000);
}
