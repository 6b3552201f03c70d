/**
 * The self-contained HTML report: each row's chain (inputs, each step's text, images as thumbnails)
 * with a status filter. Model outputs and inputs are untrusted, so every value is HTML-escaped,
 * and a Content-Security-Policy allows only the page's own inline style and script.
 *
 * Size limits, and why: a row with a few steps is 2–5 KB of HTML, so the default of 5,000 rendered
 * rows is 10–25 MB before images — still opened by a browser in seconds and filtered without lag,
 * where 100,000 rows would not be. Failures are what people open a report for, so after the cap
 * up to 1,000 more failed rows are still rendered; results.jsonl keeps every row.
 */
import type { BatchRowRecord, BatchSummary } from '../run/batch-record.js';
import type { FileRecord, StepRecord } from '../run/record.js';
import { escapeHtml as html, truncateText, valueToText } from './escape.js';
import { describeShard, formatCount, formatDuration, formatLatency, formatSeconds } from './format.js';
import { REPORT_CONTENT_SECURITY_POLICY, REPORT_SCRIPT, REPORT_STYLE } from './html-assets.js';
import { HTML_EMBEDDED_LIMIT_BYTES, HTML_IMAGE_LIMIT_BYTES, createImageEmbedder, type ImageView } from './html-images.js';

/** The rows rendered by default. */
export const HTML_ROW_LIMIT = 5000;
/** Failed rows still rendered after {@link HTML_ROW_LIMIT} is reached. */
export const HTML_EXTRA_FAILED_ROW_LIMIT = 1000;
/** The longest text shown for one value, in characters. */
export const HTML_TEXT_LIMIT = 20_000;

/** Options for {@link renderHtmlReport}. */
export type HtmlReportOptions = {
  /** Where the report will be written: links to files too large to embed are relative to it. */
  reportPath: string;
  /** What relative file paths in the records are relative to (default: the current directory). */
  baseDirectory?: string;
  maxRows?: number;
  maxExtraFailedRows?: number;
  maxImageBytes?: number;
  maxEmbeddedBytes?: number;
};

type Embed = (file: FileRecord) => Promise<ImageView>;

/** Renders the batch as one HTML page; reads each row once, and may be given rows as they are read from results.jsonl. */
export async function renderHtmlReport(
  rows: Iterable<BatchRowRecord> | AsyncIterable<BatchRowRecord>,
  summary: BatchSummary,
  options: HtmlReportOptions,
): Promise<string> {
  const maxRows = options.maxRows ?? HTML_ROW_LIMIT;
  const maxRendered = maxRows + (options.maxExtraFailedRows ?? HTML_EXTRA_FAILED_ROW_LIMIT);
  const embed = createImageEmbedder({
    reportPath: options.reportPath,
    baseDirectory: options.baseDirectory ?? process.cwd(),
    maxImageBytes: options.maxImageBytes ?? HTML_IMAGE_LIMIT_BYTES,
    maxEmbeddedBytes: options.maxEmbeddedBytes ?? HTML_EMBEDDED_LIMIT_BYTES,
  });
  const rendered: string[] = [];
  let seen = 0;
  for await (const row of rows) {
    seen += 1;
    const withinCap = rendered.length < maxRows;
    const failedAfterCap = row.status !== 'succeeded' && rendered.length < maxRendered;
    if (withinCap || failedAfterCap) rendered.push(await renderRow(row, embed));
  }
  const title = `${summary.pipeline.name ?? summary.pipeline.file} — batch ${summary.status}`;
  const note =
    rendered.length < seen
      ? `<p class="note">This page shows ${formatCount(rendered.length)} of ${formatCount(seen)} rows: the first ${formatCount(maxRows)}, then failed rows only. Every row is in <code>${html(summary.results_file)}</code>.</p>`
      : '';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${html(REPORT_CONTENT_SECURITY_POLICY)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${html(title)}</title>`,
    `<style>${REPORT_STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${html(title)}</h1>`,
    renderSummary(summary),
    note,
    '<nav class="filter" aria-label="Filter rows by status">',
    '<a href="#all">all</a> <a href="#succeeded">succeeded</a> <a href="#failed">failed</a>',
    `<span class="muted" id="shown">${formatCount(rendered.length)} rows</span>`,
    '</nav>',
    '<main>',
    ...rendered,
    '</main>',
    `<script>${REPORT_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function renderSummary(summary: BatchSummary): string {
  const totals: Array<[string, string]> = [
    ['rows', formatCount(summary.rows_total)],
    ['succeeded', formatCount(summary.rows_succeeded)],
    ['failed', formatCount(summary.rows_failed)],
    ['skipped', formatCount(summary.rows_skipped)],
  ];
  if (summary.rows_unfinished > 0) totals.push(['unfinished', formatCount(summary.rows_unfinished)]);
  totals.push(
    ['predictions', formatCount(summary.predictions)],
    ['compute', formatSeconds(summary.compute_seconds)],
    ['wall time', formatDuration(summary.wall_seconds)],
    ['row p50', formatLatency(summary.row_latency_ms.p50)],
    ['row p95', formatLatency(summary.row_latency_ms.p95)],
  );
  const shard = summary.shard === null ? '' : ` · ${describeShard(summary.shard)}`;
  return [
    `<p class="muted">Pipeline <code>${html(summary.pipeline.file)}</code> · inputs <code>${html(summary.inputs_file)}</code>${shard} · ${html(summary.started_at)} to ${html(summary.completed_at)}</p>`,
    `<ul class="totals">${totals.map(([name, value]) => `<li><b>${html(value)}</b><span class="muted">${html(name)}</span></li>`).join('')}</ul>`,
  ].join('\n');
}

async function renderRow(row: BatchRowRecord, embed: Embed): Promise<string> {
  const compute = row.steps.reduce((total, step) => total + (step.metrics.predict_time ?? 0), 0);
  const parts = [
    `<article class="row" id="row-${row.row}" data-status="${html(row.status)}">`,
    '<header>',
    `<span class="badge ${html(row.status)}">${html(row.status)}</span>`,
    `<h2>row ${row.row} · <code>${text(row.key)}</code></h2>`,
    `<span class="meta">${formatDuration(row.duration_ms / 1000)} · ${formatSeconds(compute)} compute · <code>${html(row.out_dir)}</code></span>`,
    '</header>',
  ];
  const inputs = Object.entries(row.inputs);
  if (inputs.length > 0) parts.push(`<dl class="inputs">${inputs.map(([name, value]) => `<dt>${text(name)}</dt><dd>${text(value)}</dd>`).join('')}</dl>`);
  if (row.error !== undefined) {
    const where = row.error.step === undefined ? '' : ` in step <b>${text(row.error.step)}</b>`;
    parts.push(`<p class="error"><code>${text(row.error.code)}</code>${where}: ${text(row.error.message)}</p>`);
  }
  parts.push('<ol class="chain">');
  for (const step of row.steps) parts.push(await renderStep(step, embed));
  parts.push('</ol>', '</article>');
  return parts.join('\n');
}

async function renderStep(step: StepRecord, embed: Embed): Promise<string> {
  const compute = step.metrics.predict_time === null ? '' : ` · ${step.metrics.predict_time.toFixed(2)} s compute`;
  const resumed = step.resumed === undefined ? '' : ` · ${html(step.resumed)} from an earlier run`;
  const parts = [
    `<li class="step" data-status="${html(step.status)}">`,
    `<div class="step-head"><b>${text(step.id)}</b> <code class="model" title="${html(step.model)}">${text(step.model.split(':')[0] ?? step.model)}</code> <span class="badge ${html(step.status)}">${html(step.status)}</span> <span class="meta">${formatDuration(step.duration_ms / 1000)}${compute}${resumed}</span></div>`,
  ];
  if (step.files.length > 0) {
    for (const [index, file] of step.files.entries()) parts.push(renderFile(step, index, file, await embed(file)));
  } else if (step.output !== null) {
    parts.push(`<pre class="output">${text(step.output)}</pre>`);
  } else if (step.raw_output !== undefined) {
    parts.push(`<pre class="output">${text(valueToText(step.raw_output))}</pre>`);
  }
  if (step.error !== undefined) parts.push(`<p class="error"><code>${text(step.error.code)}</code> ${text(step.error.message)}</p>`);
  if (step.input !== null) parts.push(`<details><summary>input sent</summary><pre>${text(valueToText(step.input))}</pre></details>`);
  parts.push('</li>');
  return parts.join('\n');
}

const LINK_REASONS: Record<Exclude<ImageView, { kind: 'embedded' }>['reason'], string> = {
  'too-large': 'too large to embed',
  'budget-spent': 'not embedded: the page holds enough images already',
  missing: 'file missing',
  'not-an-image': '',
};

function renderFile(step: StepRecord, index: number, file: FileRecord, view: ImageView): string {
  const name = file.path.split(/[\\/]/).pop() ?? file.path;
  const size = `${formatCount(Math.ceil(file.bytes / 1024))} KB`;
  const link = `<a href="${html(view.href)}">${text(name)}</a>`;
  if (view.kind === 'embedded') {
    return `<figure><img class="thumb" src="${html(view.dataUri)}" alt="${html(`${step.id} output ${index + 1}`)}"><figcaption>${link} · ${size}</figcaption></figure>`;
  }
  const reason = LINK_REASONS[view.reason];
  return `<p class="file">${link} <span class="muted">${html(file.content_type)} · ${size}${reason === '' ? '' : ` · ${reason}`}</span></p>`;
}

function text(value: string): string {
  return html(truncateText(value, HTML_TEXT_LIMIT));
}
