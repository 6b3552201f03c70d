/**
 * Builders for batch rows and summaries in report tests: a valid record with sensible defaults, so
 * each test states only the fields it is about.
 */
import type { BatchRowRecord, BatchSummary } from '../../src/run/batch-record.js';
import type { StepRecord } from '../../src/run/record.js';

/** A succeeded text step; override any field. */
export function makeStep(overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    id: 'company_name',
    model: 'replicate/dolly-v2-12b:ef0e1aefc61f8e096ebe4db6b2bacc297daf2ef6899f0f7e001ec445893500e5',
    version: 'ef0e1aefc61f8e096ebe4db6b2bacc297daf2ef6899f0f7e001ec445893500e5',
    prediction_id: 'p-1',
    status: 'succeeded',
    input: { prompt: 'What is a good name for a company that makes socks?' },
    output: 'Sock It To Me',
    files: [],
    metrics: { predict_time: 1.5 },
    attempts: 1,
    created_at: '2026-11-24T13:00:00.000Z',
    started_at: '2026-11-24T13:00:00.100Z',
    completed_at: '2026-11-24T13:00:02.000Z',
    duration_ms: 2000,
    ...overrides,
  };
}

/** A succeeded one-step row numbered `row`; override any field. */
export function makeRow(row: number, overrides: Partial<BatchRowRecord> = {}): BatchRowRecord {
  return {
    run_id: `run-${row}`,
    pipeline: { file: 'pipelines/logo.yaml', name: 'logo', hash: 'abc123' },
    inputs: { input: `product ${row}` },
    status: 'succeeded',
    output: 'Sock It To Me',
    steps: [makeStep()],
    started_at: '2026-11-24T13:00:00.000Z',
    completed_at: '2026-11-24T13:00:02.000Z',
    duration_ms: 2000,
    key: `row-${row}`,
    row,
    out_dir: `outputs/batch/row-${row}`,
    ...overrides,
  };
}

/** A failed row whose step `logo` failed with `message`. */
export function makeFailedRow(row: number, message: string, overrides: Partial<BatchRowRecord> = {}): BatchRowRecord {
  return makeRow(row, {
    status: 'failed',
    output: null,
    steps: [makeStep(), makeStep({ id: 'logo', status: 'failed', output: null, error: { code: 'E_PREDICTION_FAILED', message } })],
    error: { code: 'E_PREDICTION_FAILED', message, step: 'logo' },
    ...overrides,
  });
}

/** A summary of a small batch; override any field. */
export function makeSummary(overrides: Partial<BatchSummary> = {}): BatchSummary {
  return {
    pipeline: { file: 'pipelines/logo.yaml', name: 'logo', hash: 'abc123' },
    inputs_file: 'products.csv',
    results_file: 'outputs/batch/results.jsonl',
    rows_total: 200,
    rows_succeeded: 196,
    rows_failed: 3,
    rows_skipped: 1,
    rows_unfinished: 0,
    predictions: 412,
    compute_seconds: 1204.3,
    wall_seconds: 312,
    row_latency_ms: { p50: 4100, p95: 9800 },
    shard: null,
    status: 'failed',
    started_at: '2026-11-24T13:00:00.000Z',
    completed_at: '2026-11-24T13:05:12.000Z',
    ...overrides,
  };
}
