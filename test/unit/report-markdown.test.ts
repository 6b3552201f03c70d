import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdownSummary } from '../../src/report/markdown.js';
import { makeFailedRow, makeSummary } from '../support/report-rows.js';

function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((line) => line.slice(2, -2).split(/(?<!\\) \| /));
}

describe('renderMarkdownSummary', () => {
  it('has a table of counts and times', () => {
    const markdown = renderMarkdownSummary(makeSummary());
    assert.match(markdown, /^### run-pipeline batch logo: ❌ failed$/m);
    const cells = Object.fromEntries(tableRows(markdown).map(([name, value]) => [name, value]));
    assert.equal(cells.rows, '200');
    assert.equal(cells.succeeded, '196');
    assert.equal(cells.failed, '3');
    assert.equal(cells['skipped (finished earlier)'], '1');
    assert.equal(cells.predictions, '412');
    assert.equal(cells.compute, '1,204.3 s');
    assert.equal(cells['wall time'], '5m 12s');
    assert.equal(cells['row latency p50'], '4.1 s');
    assert.equal(cells['row latency p95'], '9.8 s');
    assert.equal(cells.unfinished, undefined, 'no unfinished line when every row finished');
    assert.doesNotMatch(markdown, /Failed rows/);
  });

  it('lists the first failed rows with their step and error', () => {
    const failed = Array.from({ length: 30 }, (_, index) => makeFailedRow(index, `error number ${index}`));
    const markdown = renderMarkdownSummary(makeSummary({ rows_failed: 30 }), failed, { maxFailedRows: 5 });
    assert.match(markdown, /^#### Failed rows \(first 5 of 30\)$/m);
    const rows = tableRows(markdown).filter((cells) => cells.length === 4);
    assert.equal(rows.length, 6, 'a header and five rows');
    assert.deepEqual(rows[1], ['0', 'row-0', 'logo', '**E\\_PREDICTION\\_FAILED** error number 0']);
  });

  it('escapes hostile text so it stays inside its cell and renders as text', () => {
    const hostile = 'a | b\n<img src=x onerror=alert(1)> [link](http://x) **bold** `code`';
    const markdown = renderMarkdownSummary(makeSummary({ rows_failed: 1 }), [makeFailedRow(0, hostile, { key: '|key|' })]);
    const line = markdown.split('\n').find((candidate) => candidate.includes('onerror'))!;
    assert.equal(line.split(/(?<!\\)\|/).length, 6, `a cell was split: ${line}`);
    assert.ok(!/(?<!\\)</.test(line), 'an unescaped < could start HTML');
    assert.ok(!/(?<!\\)\[/.test(line), 'an unescaped [ could start a link');
    assert.ok(line.includes('\\|key\\|'));
  });
});
