import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSummaryText, percentile } from '../../src/report/summary.js';
import { makeSummary } from '../support/report-rows.js';


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
    const text = formatSummaryText(makeSummary({ rows_unfinished: 7, shard: { index: 2, count: 4 }, status: 'interrupted', row_latency_ms: { p50: null, p95: null } }));
    assert.match(text, /^Batch interrupted \(shard 2 of 4\): 200 rows: .* · 7 unfinished$/m);
    assert.match(text, /^row p50 — · p95 —$/m);
  });
});
