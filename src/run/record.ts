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
  metrics: { predict_time: number | null };
  error?: { code: string; message: string };
  attempts: number;
  /** Set when a resumed run did not pay for this step again: `reused` its result, or `adopted` its running prediction. */
  resumed?: 'reused' | 'adopted';
  created_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number;
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
};
