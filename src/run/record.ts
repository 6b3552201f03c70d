/**
 * The run record: what `--json` prints and what `run.json` keeps. Field names are snake_case
 * because they are a public, machine-read format.
 */

/** One saved file of a step. */
export type FileRecord = { path: string; url: string; bytes: number; content_type: string };

/** Status of one step in a run. */
export type StepStatus = 'succeeded' | 'failed' | 'canceled' | 'aborted' | 'skipped' | 'interrupted';

/** What happened in one step. */
export type StepRecord = {
  id: string;
  model: string;
  /** The version id that ran ("hidden" for official models run by name). */
  version: string | null;
  prediction_id: string | null;
  status: StepStatus;
  /** Exactly what was sent as the prediction's input. */
  input: Record<string, unknown> | null;
  /** The value threaded on to later steps: text, or the URL of the first file. */
  output: string | null;
  /** The model's raw output when it was neither text nor files. */
  raw_output?: unknown;
  files: FileRecord[];
  /** Billed compute seconds of the step's last prediction (Replicate's metrics.predict_time). */
  metrics: { predict_time: number | null };
  /** Milliseconds the last prediction waited in Replicate's queue (created → started). */
  queue_ms: number | null;
  /** True when a stop sequence ended the generation: the output is cut there and the prediction was canceled. */
  stopped?: boolean;
  error?: { code: string; message: string };
  attempts: number;
  /** Set when a resumed run did not pay for this step again: `reused` its result, or `adopted` its running prediction. */
  resumed?: 'reused' | 'adopted';
  created_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  /** Wall time of the step as this tool saw it, from its start to its output. */
  duration_ms: number;
};

/** What a whole run spent, summed over every prediction it created (retries included). */
export type RunSummary = {
  /** Predictions created by this run (reused or adopted ones from an earlier run not counted). */
  predictions: number;
  /** Billed compute: the sum of their metrics.predict_time. */
  compute_seconds: number;
  /** The run's wall time. */
  wall_seconds: number;
  /** Time they spent queued before starting (created → started). */
  queue_seconds: number;
};

/** Status of a whole run. */
export type RunStatus = 'succeeded' | 'failed' | 'interrupted';

/** What happened in one run of a pipeline. */
export type RunRecord = {
  run_id: string;
  pipeline: { file: string; name: string | null; hash: string };
  inputs: Record<string, string>;
  status: RunStatus;
  /** The final result: the last step's text, or the path of its first saved file. */
  output: string | null;
  steps: StepRecord[];
  error?: { code: string; message: string; step?: string };
  started_at: string;
  completed_at: string;
  duration_ms: number;
  summary: RunSummary;
};
