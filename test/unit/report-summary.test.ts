import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSummaryAccumulator, formatSummaryText, percentile } from '../../src/report/summary.js';
import { makeFailedRow, makeRow, makeStep, makeSummary } from '../support/report-rows.js';

const startedAt = new Date('2026-11-24T13:00:00.000Z');
const init = {
  pipeline: { file: 'pipelines/logo.yaml', name: 'logo', hash: 'abc123' },
  inputsFile: 'products.csv',
  resultsFile: 'out/results.jsonl',
  shard: null,
  startedAt,
};

describe('percentile', () => {
  it('is null for no values', () => {
    assert.equal(percentile([], 50), null);
  });

  it('uses the nearest rank, so the answer is always a value that occurred', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 95), 95);
    assert.equal(percentile(values, 100), 100);
    assert.equal(percentile(values, 0), 1);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([7], 95), 7);
  });

  it('refuses a p outside 0..100', () => {
    assert.throws(() => percentile([1], 101), RangeError);
    assert.throws(() => percentile([1], Number.NaN), RangeError);
  });
});

describe('createSummaryAccumulator', () => {
  it('counts rows by outcome and origin', () => {
    const accumulator = createSummaryAccumulator({ ...init, rowsTotal: 5 });
    accumulator.add(makeRow(0), 'run');
    accumulator.add(makeRow(1), 'run');
    accumulator.add(makeFailedRow(2, 'boom'), 'run');
    accumulator.add(makeRow(3), 'skipped');
    const summary = accumulator.snapshot(new Date('2026-11-24T13:05:12.000Z'));
    assert.equal(summary.rows_total, 5);
    assert.equal(summary.rows_succeeded, 2);
    assert.equal(summary.rows_failed, 1);
    assert.equal(summary.rows_skipped, 1);
    assert.equal(summary.rows_unfinished, 1);
    assert.equal(summary.status, 'failed');
    assert.equal(summary.wall_seconds, 312);
    assert.equal(summary.started_at, '2026-11-24T13:00:00.000Z');
    assert.equal(summary.completed_at, '2026-11-24T13:05:12.000Z');
    assert.equal(summary.inputs_file, 'products.csv');
    assert.equal(summary.results_file, 'out/results.jsonl');
  });

  it('counts only predictions and compute this invocation paid for', () => {
    const accumulator = createSummaryAccumulator(init);
    const row = makeRow(0, {
      steps: [
        makeStep({ id: 'a', metrics: { predict_time: 1.25 } }),
        makeStep({ id: 'b', resumed: 'reused', metrics: { predict_time: 100 } }),
        makeStep({ id: 'c', resumed: 'adopted', metrics: { predict_time: 2 } }),
        makeStep({ id: 'd', prediction_id: null, status: 'skipped', metrics: { predict_time: null } }),
      ],
    });
    accumulator.add(row, 'run');
    accumulator.add(makeRow(1, { steps: [makeStep({ metrics: { predict_time: 50 } })] }), 'skipped');
    const summary = accumulator.snapshot(startedAt);
    assert.equal(summary.predictions, 1, 'reused and adopted predictions were created by an earlier run');
    assert.equal(summary.compute_seconds, 3.25, 'an adopted prediction finished under this run; a reused one was paid before');
  });

  it('takes p50/p95 from rows that ran here, not from skipped ones', () => {
    const accumulator = createSummaryAccumulator(init);
    // Added out of order, more than the initial buffer, to exercise growth and sorting.
    for (let index = 2000; index >= 1; index -= 1) accumulator.add(makeRow(index, { duration_ms: index }), 'run');
    accumulator.add(makeRow(0, { duration_ms: 1_000_000 }), 'skipped');
    const first = accumulator.snapshot(startedAt);
    assert.deepEqual(first.row_latency_ms, { p50: 1000, p95: 1900 });
    accumulator.add(makeRow(2001, { duration_ms: 0.5 }), 'run');
    assert.equal(accumulator.snapshot(startedAt).row_latency_ms.p50, 1000);
  });

  it('has null latencies, zero counts and the rows finished as total before any row', () => {
    const summary = createSummaryAccumulator(init).snapshot(startedAt);
    assert.deepEqual(summary.row_latency_ms, { p50: null, p95: null });
    assert.equal(summary.rows_total, 0);
    assert.equal(summary.status, 'succeeded');
  });

  it('learns the total late, and takes the status the runner decides', () => {
    const accumulator = createSummaryAccumulator(init);
    accumulator.add(makeRow(0), 'run');
    accumulator.setRowsTotal(10);
    const summary = accumulator.snapshot(startedAt, 'interrupted');
    assert.equal(summary.rows_total, 10);
    assert.equal(summary.rows_unfinished, 9);
    assert.equal(summary.status, 'interrupted');
  });
});

describe('formatSummaryText', () => {
  it('prints counts, cost and latency on short lines', () => {
    assert.equal(
      formatSummaryText(makeSummary()),
      [
        'Batch failed: 200 rows: 196 ok · 3 failed · 1 skipped',
        '412 predictions · 1,204.3 s compute · 5m 12s wall',
        'row p50 4.1 s · p95 9.8 s',
        'results: outputs/batch/results.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('names unfinished rows and the shard when there are any', () => {
    const text = formatSummaryText(makeSummary({ rows_unfinished: 7, shard: { index: 1, count: 4 }, status: 'interrupted', row_latency_ms: { p50: null, p95: null } }));
    assert.match(text, /^Batch interrupted \(shard 2 of 4\): 200 rows: .* · 7 unfinished$/m);
    assert.match(text, /^row p50 — · p95 —$/m);
  });
});
