/**
 * JUnit XML for CI dashboards: one test case per row, so a CI system lists each failed row with
 * its error the way it lists a failed test. Every row is rendered (a dashboard that silently drops
 * rows would lie), but each step text is cut at {@link JUNIT_TEXT_LIMIT} characters so 100,000
 * rows stay a file of tens of megabytes rather than gigabytes.
 */
import type { BatchRowRecord, BatchSummary } from '../run/batch-record.js';
import type { StepRecord } from '../run/record.js';
import { escapeXmlAttribute as attribute, escapeXmlText as text, truncateText, valueToText } from './escape.js';

/** The longest step text or input value kept in the XML, in characters. */
export const JUNIT_TEXT_LIMIT = 2000;

/**
 * Builds a JUnit document one row at a time, keeping only each row's rendered test case (not the
 * parsed row), so a batch can feed it straight from its results file.
 */
export function createJunitBuilder(summary: BatchSummary): { add(row: BatchRowRecord): void; finish(): string } {
  const suiteName = summary.pipeline.name ?? summary.pipeline.file;
  const cases: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  let seconds = 0;
  return {
    add(row) {
      tests += 1;
      if (row.status === 'failed') failures += 1;
      else if (row.status !== 'succeeded') skipped += 1;
      seconds += row.duration_ms / 1000;
      cases.push(renderTestCase(row, suiteName));
    },
    finish() {
      const counts = `tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds.toFixed(3)}"`;
      const suiteProperties = [
        property('pipeline.file', summary.pipeline.file),
        property('pipeline.hash', summary.pipeline.hash),
        property('inputs_file', summary.inputs_file),
        property('results_file', summary.results_file),
        property('batch.status', summary.status),
        property('predictions', String(summary.predictions)),
        property('compute_seconds', String(summary.compute_seconds)),
      ];
      return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="run-pipeline" ${counts}>`,
        // The JUnit schema's timestamp has no time zone; started_at is UTC, so dropping the Z keeps its meaning.
        `  <testsuite name="${attribute(suiteName)}" ${counts} timestamp="${attribute(summary.started_at.replace(/(\.\d+)?Z$/, ''))}">`,
        `    <properties>\n${suiteProperties.map((line) => `      ${line}`).join('\n')}\n    </properties>`,
        ...cases,
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n');
    },
  };
}

/** JUnit XML with one test case per row, so CI lists failed rows like failed tests. */
export function renderJunit(rows: Iterable<BatchRowRecord>, summary: BatchSummary): string {
  const builder = createJunitBuilder(summary);
  for (const row of rows) builder.add(row);
  return builder.finish();
}

function renderTestCase(row: BatchRowRecord, className: string): string {
  const properties = [property('row', String(row.row)), property('run_id', row.run_id), property('out_dir', row.out_dir)];
  for (const [name, value] of Object.entries(row.inputs)) properties.push(property(`input.${name}`, value));
  const lines = [`    <testcase name="${attribute(row.key)}" classname="${attribute(className)}" time="${(row.duration_ms / 1000).toFixed(3)}">`];
  lines.push(`      <properties>\n${properties.map((line) => `        ${line}`).join('\n')}\n      </properties>`);
  if (row.status === 'failed') {
    const code = row.error?.code ?? 'E_UNKNOWN';
    const message = row.error?.message ?? 'the row failed without an error message';
    const where = row.error?.step === undefined ? '' : `step ${row.error.step}: `;
    lines.push(`      <failure type="${attribute(code)}" message="${attribute(truncateText(message, JUNIT_TEXT_LIMIT))}">${text(truncateText(`${where}${code} ${message}`, JUNIT_TEXT_LIMIT))}</failure>`);
  } else if (row.status !== 'succeeded') {
    lines.push(`      <skipped message="${attribute(`row ${row.status} before it finished`)}"/>`);
  }
  lines.push(`      <system-out>${text(row.steps.map(describeStep).join('\n\n'))}</system-out>`);
  lines.push('    </testcase>');
  return lines.join('\n');
}

function describeStep(step: StepRecord): string {
  const compute = step.metrics.predict_time === null ? '' : `, ${step.metrics.predict_time.toFixed(2)} s compute`;
  const heading = `▸ ${step.id} (${step.model}) ${step.status} in ${(step.duration_ms / 1000).toFixed(1)} s${compute}`;
  const body: string[] = [];
  if (step.files.length > 0) body.push(...step.files.map((file) => `saved ${file.path} (${file.content_type}, ${file.bytes} bytes)`));
  else if (step.output !== null) body.push(step.output);
  else if (step.raw_output !== undefined) body.push(valueToText(step.raw_output));
  if (step.error !== undefined) body.push(`${step.error.code} ${step.error.message}`);
  return [heading, ...body.map((line) => truncateText(line, JUNIT_TEXT_LIMIT))].join('\n');
}

function property(name: string, value: string): string {
  return `<property name="${attribute(name)}" value="${attribute(truncateText(value, JUNIT_TEXT_LIMIT))}"/>`;
}
