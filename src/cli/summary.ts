/** The end-of-run lines on stderr: what the run spent, and on a failure or interrupt, what finished. */
import type { Logger } from '../logger.js';
import { formatDuration, formatSeconds } from '../report/format.js';
import type { RunRecord, RunSummary } from '../run/record.js';

/** `3 predictions · 14.2 s compute · 19.8 s wall` (queue time added when there was any to speak of). */
export function formatSummary(summary: RunSummary): string {
  const predictions = `${summary.predictions} prediction${summary.predictions === 1 ? '' : 's'}`;
  const queued = summary.queue_seconds >= 1 ? ` · ${formatSeconds(summary.queue_seconds)} queued` : '';
  return `${predictions} · ${formatSeconds(summary.compute_seconds)} compute · ${formatDuration(summary.wall_seconds)} wall${queued}`;
}

/** For a run that did not succeed: the steps that finished, and where it stopped. */
export function formatFinished(record: RunRecord): string {
  const finished = record.steps.filter((step) => step.status === 'succeeded').map((step) => step.id);
  const stoppedAt = record.steps.find((step) => step.status !== 'succeeded' && step.status !== 'skipped');
  const done = finished.length === 0 ? 'no step finished' : `finished: ${finished.join(', ')}`;
  return stoppedAt ? `${done}; ${stoppedAt.id} ${stoppedAt.status}` : done;
}

/**
 * Reports the end of a run: as plain lines when people read stderr, as one `run-summary` log
 * event with the same figures when the logs are JSON lines.
 */
export function reportRunEnd(record: RunRecord, target: { stderr: NodeJS.WritableStream; logger: Logger; human: boolean }): void {
  const line = formatSummary(record.summary);
  const finished = record.status === 'succeeded' ? undefined : formatFinished(record);
  if (target.human) {
    if (finished) target.stderr.write(`${record.status}: ${finished}\n`);
    target.stderr.write(`${line}\n`);
    return;
  }
  const steps = record.steps.filter((step) => step.status === 'succeeded').map((step) => step.id);
  target.logger.info(
    {
      event: 'run-summary',
      status: record.status,
      finished: steps,
      predictions: record.summary.predictions,
      computeSeconds: record.summary.compute_seconds,
      wallSeconds: record.summary.wall_seconds,
      queueSeconds: record.summary.queue_seconds,
    },
    finished ? `${record.status}: ${finished} · ${line}` : line,
  );
}
