/**
 * The end-of-batch summary as people read it, and the percentile the batch runner computes it with
 * (exact, from one latency number per row that ran here: 8 MB per million rows, rather than a
 * streaming estimate a reader would have to trust).
 */
import type { BatchSummary } from '../run/batch-record.js';
import { describeShard, formatCount, formatDuration, formatLatency, formatSeconds } from './format.js';

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

