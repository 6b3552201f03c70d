/**
 * The batch progress display on stderr. On a terminal: one line redrawn in place, at most about ten
 * times a second. Elsewhere (CI logs, files): a plain line every few seconds and never a control
 * character, because a log full of carriage returns and escape codes is unreadable.
 *
 * Time comes from the snapshots (`now`), not a clock of its own, so the display has no timers to
 * leak and tests run instantly; the caller should update at least once a second for the rate and
 * ETA to move.
 */
import { formatCount, formatDuration, formatRate, formatSeconds } from '../report/format.js';

/** The batch's state at one moment. */
export type ProgressSnapshot = {
  /** Rows finished by this invocation, succeeded or failed (so `failed` is included here). */
  done: number;
  failed: number;
  /** Rows an earlier run already finished; they count towards `total` but not towards the rate. */
  skipped: number;
  running: number;
  /** Rows in the input, or null while the input is still being read. */
  total: number | null;
  computeSeconds: number;
  /** Epoch milliseconds. */
  startedAt: number;
  /** Epoch milliseconds. */
  now: number;
};

/** Options for {@link createProgress}. */
export type ProgressOptions = {
  /** Redraw one line in place (a terminal), or write plain log lines. */
  tty: boolean;
  /** Least time between log lines without a terminal (default 5,000 ms). */
  intervalMs?: number;
};

/** The display the batch runner drives. */
export interface Progress {
  update(snapshot: ProgressSnapshot): void;
  /** Draws the final state and ends the line; later updates are ignored. */
  finish(snapshot: ProgressSnapshot): void;
}

const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 20;
const CLEAR_LINE = '\r\u001b[2K';

/** Creates a progress display writing to `stream` (stderr, so stdout stays clean for results). */
export function createProgress(stream: NodeJS.WritableStream, options: ProgressOptions): Progress {
  const intervalMs = options.intervalMs ?? 5000;
  let lastWrite: number | null = null;
  let finished = false;

  function draw(snapshot: ProgressSnapshot): void {
    const columns = (stream as { columns?: number }).columns;
    let line = `${renderBar(snapshot)}${describeProgress(snapshot)}`;
    // A line wider than the terminal wraps, and \r then redraws only its last part.
    if (columns !== undefined && columns > 1 && line.length >= columns) line = `${line.slice(0, columns - 2)}…`;
    stream.write(`${CLEAR_LINE}${line}`);
  }

  return {
    update(snapshot) {
      if (finished) return;
      const wait = options.tty ? REDRAW_INTERVAL_MS : intervalMs;
      if (lastWrite !== null && snapshot.now - lastWrite < wait) return;
      lastWrite = snapshot.now;
      if (options.tty) draw(snapshot);
      else stream.write(`progress: ${describeProgress(snapshot)}\n`);
    },
    finish(snapshot) {
      if (finished) return;
      finished = true;
      if (options.tty) {
        draw(snapshot);
        stream.write('\n');
      } else {
        stream.write(`finished: ${describeProgress(snapshot)}\n`);
      }
    },
  };
}

/** The words of a progress line, shared by the terminal and the log: counts, rate, ETA, compute, elapsed. */
export function describeProgress(snapshot: ProgressSnapshot): string {
  const elapsedSeconds = Math.max(0, snapshot.now - snapshot.startedAt) / 1000;
  const rowsPerMinute = elapsedSeconds > 0 && snapshot.done > 0 ? (snapshot.done / elapsedSeconds) * 60 : null;
  const finished = snapshot.done + snapshot.skipped;
  const parts: string[] = [];
  if (snapshot.total === null) {
    parts.push(`${formatCount(finished)} rows`);
  } else {
    const percent = snapshot.total === 0 ? 100 : Math.floor((finished / snapshot.total) * 100);
    parts.push(`${formatCount(finished)}/${formatCount(snapshot.total)} rows (${percent}%)`);
  }
  parts.push(`${formatCount(snapshot.failed)} failed`);
  if (snapshot.skipped > 0) parts.push(`${formatCount(snapshot.skipped)} skipped`);
  parts.push(`${formatCount(snapshot.running)} running`, `${formatRate(rowsPerMinute)} rows/min`);
  if (snapshot.total !== null) {
    const remaining = Math.max(0, snapshot.total - finished);
    const eta = remaining === 0 ? 0 : rowsPerMinute === null ? null : (remaining / rowsPerMinute) * 60;
    parts.push(`ETA ${eta === null ? '—' : formatDuration(eta)}`);
  }
  parts.push(`${formatSeconds(snapshot.computeSeconds)} compute`, `${formatDuration(elapsedSeconds)} elapsed`);
  return parts.join(' · ');
}

function renderBar(snapshot: ProgressSnapshot): string {
  if (snapshot.total === null) return '';
  const fraction = snapshot.total === 0 ? 1 : Math.min(1, (snapshot.done + snapshot.skipped) / snapshot.total);
  const filled = Math.round(fraction * BAR_WIDTH);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} `;
}
