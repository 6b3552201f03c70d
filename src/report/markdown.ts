/**
 * The Markdown summary for `$GITHUB_STEP_SUMMARY`: a table of counts and times, then the first
 * failed rows with their errors. GitHub renders it as Markdown with some HTML allowed, and errors
 * quote model and user text, so every value is escaped and kept on one line inside its table cell.
 */
import type { BatchRowRecord, BatchSummary } from '../run/batch-record.js';
import { stripForbiddenCharacters, truncateText } from './escape.js';
import { describeShard, formatCount, formatDuration, formatLatency, formatSeconds } from './format.js';

/** How many failed rows the summary lists by default; GitHub caps a step summary at 1 MiB. */
export const MARKDOWN_FAILED_ROWS_LIMIT = 20;

/** Options for {@link renderMarkdownSummary}. */
export type MarkdownSummaryOptions = {
  /** Failed rows listed at most (default {@link MARKDOWN_FAILED_ROWS_LIMIT}). */
  maxFailedRows?: number;
};

const ERROR_LIMIT = 300;

/** Renders the batch summary, and the first failed rows with their errors, as GitHub-flavoured Markdown. */
export function renderMarkdownSummary(summary: BatchSummary, failedRows: BatchRowRecord[] = [], options: MarkdownSummaryOptions = {}): string {
  const limit = options.maxFailedRows ?? MARKDOWN_FAILED_ROWS_LIMIT;
  const title = cell(summary.pipeline.name ?? summary.pipeline.file);
  const shard = summary.shard === null ? '' : ` (${describeShard(summary.shard)})`;
  const lines = [
    `### run-pipeline batch ${title}${shard}: ${summary.status === 'succeeded' ? '✅' : '❌'} ${summary.status}`,
    '',
    '| | |',
    '|---|--:|',
    `| rows | ${formatCount(summary.rows_total)} |`,
    `| succeeded | ${formatCount(summary.rows_succeeded)} |`,
    `| failed | ${formatCount(summary.rows_failed)} |`,
    `| skipped (finished earlier) | ${formatCount(summary.rows_skipped)} |`,
  ];
  if (summary.rows_unfinished > 0) lines.push(`| unfinished | ${formatCount(summary.rows_unfinished)} |`);
  lines.push(
    `| predictions | ${formatCount(summary.predictions)} |`,
    `| compute | ${formatSeconds(summary.compute_seconds)} |`,
    `| wall time | ${formatDuration(summary.wall_seconds)} |`,
    `| row latency p50 | ${formatLatency(summary.row_latency_ms.p50)} |`,
    `| row latency p95 | ${formatLatency(summary.row_latency_ms.p95)} |`,
    '',
    `Pipeline \`${code(summary.pipeline.file)}\`, inputs \`${code(summary.inputs_file)}\`, results \`${code(summary.results_file)}\`.`,
  );
  const shown = failedRows.slice(0, limit);
  if (shown.length > 0) {
    const more = summary.rows_failed > shown.length ? ` (first ${shown.length} of ${formatCount(summary.rows_failed)})` : '';
    lines.push('', `#### Failed rows${more}`, '', '| row | key | step | error |', '|--:|---|---|---|');
    for (const row of shown) {
      const error = row.error ?? { code: 'E_UNKNOWN', message: 'the row failed without an error message' };
      const step = row.error?.step ?? row.steps.find((candidate) => candidate.status === 'failed')?.id ?? '';
      lines.push(`| ${row.row} | ${cell(row.key)} | ${cell(step)} | **${cell(error.code)}** ${cell(truncateText(error.message, ERROR_LIMIT))} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Makes untrusted text safe inside one table cell: one line, Markdown punctuation backslash-escaped
 * (CommonMark lets any ASCII punctuation be escaped) so it cannot open links, images, emphasis or
 * HTML, and `|` escaped so it cannot split the cell.
 */
function cell(value: string): string {
  return stripForbiddenCharacters(value)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_{}[\]()<>#!|~&$]/g, '\\$&');
}

/** Text inside an inline code span: only backticks and line breaks matter there, plus `|` for tables. */
function code(value: string): string {
  return stripForbiddenCharacters(value).replace(/\s+/g, ' ').replace(/`/g, "'").replace(/\|/g, '\\|');
}
