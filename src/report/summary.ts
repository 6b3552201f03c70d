/**
 * The end-of-batch summary: an accumulator the batch runner feeds one finished row at a time, and
 * the terminal text for it. Rows may number in the hundreds of thousands, so the accumulator keeps
 * counters plus one latency number per row that ran here (8 bytes each: 8 MB per million rows),
 * which buys exact percentiles instead of a streaming estimate that a reader would have to trust.
 */
import type { BatchRowRecord, BatchSummary } from '../run/batch-record.js';
import type { StepRecord } from '../run/record.js';
import { describeShard, formatCount, formatDuration, formatLatency, formatSeconds } from './format.js';

/** What the accumulator needs to know before the first row. */
export type SummaryAccumulatorInit = {
  pipeline: BatchSummary['pipeline'];
  inputsFile: string;
  resultsFile: string;
  shard: BatchSummary['shard'];
  startedAt: Date;
  /** Rows in the input (within this shard), when known up front; see {@link SummaryAccumulator.setRowsTotal}. */
  rowsTotal?: number | null;
};

/** Where a row's record came from: finished by this invocation, or by an earlier one (resume). */
export type RowOrigin = 'run' | 'skipped';

/** Collects finished rows into a {@link BatchSummary}. */
export interface SummaryAccumulator {
  /** Counts one finished row. */
  add(row: BatchRowRecord, origin: RowOrigin): void;
  /** Sets the number of input rows once known (inputs read as a stream learn it at the end). */
  setRowsTotal(total: number): void;
  /** The summary as of `now`; `status` defaults to `failed` when any row failed, else `succeeded`. */
  snapshot(now?: Date, status?: BatchSummary['status']): BatchSummary;
}

/** Creates an accumulator for one batch invocation. */
export function createSummaryAccumulator(init: SummaryAccumulatorInit): SummaryAccumulator {
  let rowsTotal = init.rowsTotal ?? null;
  let succeeded = 0;
  let failed = 0;
  let skipped = 0;
  let predictions = 0;
  let computeSeconds = 0;
  let latencies = new Float64Array(1024);
  let latencyCount = 0;
  // Snapshots sort in place; sorting an already sorted prefix plus a few new values is cheap.
  let latenciesSorted = true;

  function recordLatency(milliseconds: number): void {
    if (latencyCount === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[latencyCount] = milliseconds;
    latencyCount += 1;
    latenciesSorted = false;
  }

  return {
    add(row, origin) {
      if (origin === 'skipped') {
        skipped += 1;
        return;
      }
      if (row.status === 'succeeded') succeeded += 1;
      else failed += 1;
      for (const step of row.steps) {
        if (createdHere(step)) predictions += 1;
        if (step.resumed !== 'reused') computeSeconds += step.metrics.predict_time ?? 0;
      }
      if (Number.isFinite(row.duration_ms)) recordLatency(row.duration_ms);
    },
    setRowsTotal(total) {
      rowsTotal = total;
    },
    snapshot(now = new Date(), status) {
      const sorted = latencies.subarray(0, latencyCount);
      if (!latenciesSorted) {
        sorted.sort();
        latenciesSorted = true;
      }
      const finished = succeeded + failed + skipped;
      const total = Math.max(rowsTotal ?? finished, finished);
      return {
        pipeline: init.pipeline,
        inputs_file: init.inputsFile,
        results_file: init.resultsFile,
        rows_total: total,
        rows_succeeded: succeeded,
        rows_failed: failed,
        rows_skipped: skipped,
        rows_unfinished: total - finished,
        predictions,
        compute_seconds: roundTo(computeSeconds, 3),
        wall_seconds: roundTo(Math.max(0, now.getTime() - init.startedAt.getTime()) / 1000, 3),
        row_latency_ms: { p50: percentile(sorted, 50), p95: percentile(sorted, 95) },
        shard: init.shard,
        status: status ?? (failed > 0 ? 'failed' : 'succeeded'),
        started_at: init.startedAt.toISOString(),
        completed_at: now.toISOString(),
      };
    },
  };
}

/** A prediction this invocation paid for: one was created, and it was not carried over from an earlier run. */
function createdHere(step: StepRecord): boolean {
  return step.prediction_id !== null && step.resumed === undefined;
}

/**
 * The nearest-rank percentile (`p` from 0 to 100) of ascending values, or null when there are none.
 * Nearest-rank always answers with a latency some row really had, which is what a reader expects.
 */
export function percentile(sortedValues: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be between 0 and 100, got ${p}`);
  if (sortedValues.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedValues.length));
  return sortedValues[rank - 1] ?? null;
}

/** The summary as people read it at the end of a batch: three or four short lines. */
export function formatSummaryText(summary: BatchSummary): string {
  const counts = [`${formatCount(summary.rows_succeeded)} ok`, `${formatCount(summary.rows_failed)} failed`, `${formatCount(summary.rows_skipped)} skipped`];
  if (summary.rows_unfinished > 0) counts.push(`${formatCount(summary.rows_unfinished)} unfinished`);
  const shard = summary.shard === null ? '' : ` (${describeShard(summary.shard)})`;
  const lines = [
    `Batch ${summary.status}${shard}: ${formatCount(summary.rows_total)} rows: ${counts.join(' · ')}`,
    `${formatCount(summary.predictions)} predictions · ${formatSeconds(summary.compute_seconds)} compute · ${formatDuration(summary.wall_seconds)} wall`,
    `row p50 ${formatLatency(summary.row_latency_ms.p50)} · p95 ${formatLatency(summary.row_latency_ms.p95)}`,
    `results: ${summary.results_file}`,
  ];
  return `${lines.join('\n')}\n`;
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
