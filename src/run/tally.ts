/**
 * What a run spends: predictions created, billed compute, time queued. Also enforces
 * `--max-predictions`, counting every create (a retried failure is a new, billed prediction).
 */
import { RunPipelineError } from '../errors.js';
import type { Prediction } from '../providers/types.js';
import type { RunSummary } from './record.js';

/** Milliseconds a prediction waited in the queue (created → started), when known. */
export function queueMilliseconds(prediction: Prediction): number | null {
  const created = Date.parse(prediction.createdAt ?? '');
  const started = Date.parse(prediction.startedAt ?? prediction.completedAt ?? '');
  return Number.isNaN(created) || Number.isNaN(started) ? null : Math.max(0, started - created);
}

/** Counts one run's predictions and what they cost. */
export class RunTally {
  private created = 0;
  private computeSeconds = 0;
  private queueMs = 0;
  private readonly settled = new Set<string>();
  private readonly maxPredictions: number | undefined;

  constructor(maxPredictions?: number) {
    this.maxPredictions = maxPredictions;
  }

  /** Claims the next prediction for `step`, or refuses (E_LIMIT) before anything is created. */
  reserve(step: string): void {
    if (this.maxPredictions !== undefined && this.created >= this.maxPredictions) {
      throw new RunPipelineError('E_LIMIT', `step "${step}" would start prediction ${this.created + 1}, over --max-predictions ${this.maxPredictions}`, {
        hint: 'raise --max-predictions, or lower the step\'s retries',
      });
    }
    this.created += 1;
  }

  /** Gives back a claim whose create never reached Replicate (it was refused, nothing was made). */
  release(): void {
    this.created = Math.max(0, this.created - 1);
  }

  /** Adds a finished prediction's compute and queue time, once per prediction. */
  settle(prediction: Prediction): void {
    if (this.settled.has(prediction.id)) return;
    this.settled.add(prediction.id);
    this.computeSeconds += prediction.predictTime ?? 0;
    this.queueMs += queueMilliseconds(prediction) ?? 0;
  }

  /** The run-level figures for the record. */
  summary(wallMilliseconds: number): RunSummary {
    return {
      predictions: this.created,
      compute_seconds: round(this.computeSeconds),
      wall_seconds: round(wallMilliseconds / 1000),
      queue_seconds: round(this.queueMs / 1000),
    };
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
