/**
 * The batch formats: one results line per finished row (JSONL, public and machine-read, so
 * snake_case), and the end-of-batch summary (summary.json). Producers: run/batch. Consumers: the
 * reports (JUnit, Markdown, HTML), `merge`, and people.
 */
import type { RunRecord } from './record.js';

/** One line of results.jsonl: a finished row (succeeded or failed). */
export type BatchRowRecord = RunRecord & {
  /** Stable row key: the row's `id` column, else a hash of its inputs. */
  key: string;
  /** 0-based position of the row in the input file. */
  row: number;
  /** Where this row's files live (`<out-dir>/<key>/`). */
  out_dir: string;
};

/** The end-of-batch summary (summary.json, the terminal summary, the reports). */
export type BatchSummary = {
  pipeline: { file: string; name: string | null; hash: string };
  inputs_file: string;
  results_file: string;
  /** Rows in the input (within this shard). */
  rows_total: number;
  rows_succeeded: number;
  rows_failed: number;
  /** Rows skipped because an earlier run already finished them. */
  rows_skipped: number;
  /** Of the skipped rows, those an earlier run finished as failed (they keep the batch failed until --retry-failed). */
  rows_failed_earlier?: number;
  /** Rows not finished when the batch stopped (interrupt, --max-failures, auth failure). */
  rows_unfinished: number;
  /** Predictions created by this invocation (not counting reused or adopted ones). */
  predictions: number;
  compute_seconds: number;
  wall_seconds: number;
  row_latency_ms: { p50: number | null; p95: number | null };
  /** `--shard I/N` as given: `index` is 1-based. */
  shard: { index: number; count: number } | null;
  status: 'succeeded' | 'failed' | 'interrupted' | 'stopped';
  started_at: string;
  completed_at: string;
};
