/**
 * What a batch leaves behind after its last row: summary.json, the summary on stderr, and the
 * optional reports (JUnit, HTML, the GitHub step summary), all drawn from the results file so they
 * cover every row, including rows an earlier run finished.
 */
import { appendFile } from 'node:fs/promises';
import { writeFileAtomically } from '../atomic-file.js';
import type { BatchRowRecord, BatchSummary } from '../run/batch-record.js';
import { readResultLines } from '../run/results-file.js';
import { renderHtmlReport } from '../report/html.js';
import { createJunitBuilder } from '../report/junit.js';
import { MARKDOWN_FAILED_ROWS_LIMIT, renderMarkdownSummary } from '../report/markdown.js';
import { formatSummaryText } from '../report/summary.js';
import type { CliIo } from './io.js';

/** Options for {@link writeBatchReports}. */
export type BatchReportsOptions = {
  summary: BatchSummary;
  summaryPath: string;
  resultsPath: string;
  io: CliIo;
  junitPath?: string;
  reportPath?: string;
};

/** Streams the rows of a results file (a torn last line is the next run's to drop; reports skip it). */
export async function* readResults(path: string): AsyncGenerator<BatchRowRecord> {
  for await (const { record } of readResultLines(path)) yield record;
}


/** Writes summary.json and the reports asked for, and prints the summary on stderr. */
export async function writeBatchReports(options: BatchReportsOptions): Promise<void> {
  const { summary, io } = options;
  await writeFileAtomically(options.summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  io.stderr.write(formatSummaryText(summary));
  io.stderr.write(`summary: ${options.summaryPath}\n`);
  if (options.junitPath) {
    // One test case per row is what CI dashboards read; rows stream in, only their XML is kept.
    const junit = createJunitBuilder(summary);
    for await (const row of readResults(options.resultsPath)) junit.add(row);
    await writeFileAtomically(options.junitPath, junit.finish());
    io.stderr.write(`junit: ${options.junitPath}\n`);
  }
  if (options.reportPath) {
    const html = await renderHtmlReport(readResults(options.resultsPath), summary, { reportPath: options.reportPath, baseDirectory: io.cwd });
    await writeFileAtomically(options.reportPath, html);
    io.stderr.write(`report: ${options.reportPath}\n`);
  }
  const stepSummary = io.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) {
    const failed: BatchRowRecord[] = [];
    for await (const row of readResults(options.resultsPath)) {
      if (row.status !== 'succeeded') failed.push(row);
      if (failed.length >= MARKDOWN_FAILED_ROWS_LIMIT) break;
    }
    await appendFile(stepSummary, renderMarkdownSummary(summary, failed));
  }
}
