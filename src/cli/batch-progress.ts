/**
 * The batch progress display: one self-rewriting line on a terminal, a plain line every few
 * seconds elsewhere (CI logs). Fed BatchProgress snapshots; draws at most a few times a second.
 */
import type { BatchProgress } from '../run/batch.js';

/** Options for {@link createBatchProgress}. */
export type BatchProgressOptions = {
  tty: boolean;
  /** Minimum time between two lines in a log (default 5000 ms). */
  logIntervalMs?: number;
};

/** A progress display: `update` with each snapshot, `end` once (idempotent). */
export type BatchProgressDisplay = { update: (progress: BatchProgress) => void; end: () => void };

/** One line describing a snapshot. */
export function formatProgress(progress: BatchProgress): string {
  const done = progress.succeeded + progress.failed;
  const minutes = progress.elapsed_ms / 60_000;
  const perMinute = minutes > 0 ? Math.round(done / minutes) : 0;
  return `rows: ${progress.succeeded} ok · ${progress.failed} failed · ${progress.running} running · ${progress.skipped} skipped · ${perMinute}/min · ${progress.predictions} predictions · ${progress.compute_seconds.toFixed(1)} s compute`;
}

/** Creates the display on `stream`. */
export function createBatchProgress(stream: NodeJS.WritableStream, options: BatchProgressOptions): BatchProgressDisplay {
  const interval = options.tty ? 200 : (options.logIntervalMs ?? 5000);
  let last = 0;
  let latest: BatchProgress | undefined;
  let drawn = false;
  let ended = false;
  const draw = (progress: BatchProgress) => {
    if (options.tty) stream.write(`\r\x1b[2K${formatProgress(progress)}`);
    else stream.write(`progress ${formatProgress(progress)}\n`);
    drawn = true;
  };
  return {
    update(progress) {
      latest = progress;
      const now = Date.now();
      if (ended || now - last < interval) return;
      last = now;
      draw(progress);
    },
    end() {
      if (ended) return;
      ended = true;
      if (options.tty && latest) draw(latest);
      if (options.tty && drawn) stream.write('\n');
    },
  };
}
