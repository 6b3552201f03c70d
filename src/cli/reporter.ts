/** The human progress display on stderr: each step's output as it is produced. */
import type { RunEvent } from '../run/executor.js';

/** Options for {@link createReporter}. */
export type ReporterOptions = { enabled: boolean };

/** Returns an event sink that writes a readable account of the run to `stream`. */
export function createReporter(stream: NodeJS.WritableStream, options: ReporterOptions): (event: RunEvent) => void {
  let streamed = false;
  return (event) => {
    if (!options.enabled) return;
    switch (event.type) {
      case 'step-start':
        streamed = false;
        stream.write(`\n▸ ${event.step} (${event.model.split(':')[0]})\n`);
        break;
      case 'step-output':
        streamed = true;
        stream.write(event.chunk);
        break;
      case 'step-end': {
        const { record } = event;
        if (record.status !== 'succeeded') break;
        if (record.files.length > 0) stream.write(record.files.map((file) => `  saved ${file.path}\n`).join(''));
        else if (streamed) stream.write('\n');
        else stream.write(`${record.output ?? ''}\n`);
        break;
      }
      default:
        break;
    }
  };
}
