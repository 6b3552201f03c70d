/** The human progress display on stderr: each step, its prediction, its output as produced, its time. */
import type { RunEvent } from '../run/executor.js';

/** Options for {@link createReporter}. */
export type ReporterOptions = { enabled: boolean };

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

/** Returns an event sink that writes a readable account of the run to `stream`. */
export function createReporter(stream: NodeJS.WritableStream, options: ReporterOptions): (event: RunEvent) => void {
  let streamed = false;
  return (event) => {
    if (!options.enabled) return;
    switch (event.type) {
      case 'step-start':
        streamed = false;
        stream.write(`▸ ${event.step} · ${event.model.split(':')[0]}\n`);
        break;
      case 'prediction-create':
        stream.write(`  prediction ${event.predictionId}\n`);
        break;
      case 'step-output':
        streamed = true;
        stream.write(event.chunk);
        break;
      case 'step-end': {
        const { record } = event;
        if (record.status === 'succeeded') {
          if (record.files.length > 0) stream.write(record.files.map((file) => `  saved ${file.path}\n`).join(''));
          else stream.write(streamed ? '\n' : `${record.output ?? ''}\n`);
        }
        const compute = record.metrics.predict_time === null ? '' : `, ${record.metrics.predict_time.toFixed(2)} s compute`;
        const mark = record.status === 'succeeded' ? '✓' : '✗';
        stream.write(`${mark} ${record.id} ${record.status} in ${seconds(record.duration_ms)}${compute}\n\n`);
        break;
      }
      default:
        break;
    }
  };
}
