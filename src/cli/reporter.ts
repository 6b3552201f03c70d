/** The human progress display on stderr: each step, its prediction, its output as produced, its time. */
import { formatDuration } from '../report/format.js';
import type { RunEvent } from '../run/executor.js';

/** Options for {@link createReporter}. */
export type ReporterOptions = {
  /** Show steps, predictions and timings (the terminal display). */
  enabled: boolean;
  /** Show text as it is generated (`--stream`; default: when stderr is a terminal). */
  tokens?: boolean;
};

/** Returns an event sink that writes a readable account of the run to `stream`. */
export function createReporter(stream: NodeJS.WritableStream, options: ReporterOptions): (event: RunEvent) => void {
  let streamed = false;
  return (event) => {
    if (event.type === 'step-output') {
      if (!options.tokens) return;
      streamed = true;
      stream.write(event.chunk);
      return;
    }
    if (!options.enabled) {
      // Tokens without the display (--stream with JSON logs): end the text's line, nothing more.
      if (event.type === 'step-end' && streamed) stream.write('\n');
      if (event.type === 'step-end') streamed = false;
      return;
    }
    switch (event.type) {
      case 'step-start':
        streamed = false;
        stream.write(`▸ ${event.step} · ${event.model.split(':')[0]}\n`);
        break;
      case 'prediction-create':
        stream.write(`  prediction ${event.predictionId}\n`);
        break;
      case 'step-end': {
        const { record } = event;
        if (record.status === 'succeeded') {
          if (record.files.length > 0) stream.write(record.files.map((file) => `  saved ${file.path}\n`).join(''));
          else stream.write(streamed ? '\n' : `${record.output ?? ''}\n`);
        } else if (streamed) {
          stream.write('\n');
        }
        const compute = record.metrics.predict_time === null ? '' : `, ${record.metrics.predict_time.toFixed(2)} s compute`;
        const queued = record.queue_ms === null || record.queue_ms < 1000 ? '' : `, ${formatDuration(record.queue_ms / 1000)} queued`;
        const stopped = record.stopped ? ' (stopped at a stop sequence)' : '';
        const mark = record.status === 'succeeded' ? '✓' : '✗';
        stream.write(`${mark} ${record.id} ${record.status}${stopped} in ${formatDuration(record.duration_ms / 1000)}${compute}${queued}\n\n`);
        streamed = false;
        break;
      }
      default:
        break;
    }
  };
}
