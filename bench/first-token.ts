/**
 * Time to first token: when the first token reaches this tool (the step-output event the display
 * prints) against when the server produced it, both measured from the prediction's creation on
 * the same clock. Streaming should add only milliseconds; polling at the default 0.5 s interval
 * is the baseline it replaces.
 */
import { median, printTable, runYaml, startBench, textModel, type Bench } from './harness.js';

const REPEATS = 5;
const tokens = Array.from({ length: 50 }, (_, index) => ` w${index}`);
// 100 ms of queueing and 10 ms per token, so the first token exists ~110 ms after creation.
const streaming = textModel('first-token', tokens, 10, { startDelayMs: 100 });
const polled = textModel('first-token-polled', tokens, 10, { startDelayMs: 100, stream: false });
const bench: Bench = await startBench([streaming.model, polled.model]);

type Sample = { serverMs: number; clientMs: number };

async function measure(reference: string): Promise<Sample> {
  let firstSeen: number | undefined;
  const { record, error } = await runYaml(bench, `steps:\n  - id: text\n    model: ${reference}\n    template: "{{input}}"\n`, {
    onEvent: (event) => {
      if (event.type === 'step-output' && firstSeen === undefined) firstSeen = Date.now();
    },
  });
  if (error) throw error;
  const prediction = bench.server.predictions.get(record.steps[0]?.prediction_id ?? '');
  if (!prediction || firstSeen === undefined) throw new Error('no token seen');
  return { serverMs: (prediction.chunkTimes[0] ?? Number.NaN) - prediction.createdAt, clientMs: firstSeen - prediction.createdAt };
}

async function sample(reference: string): Promise<Sample> {
  const samples: Sample[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) samples.push(await measure(reference));
  return { serverMs: median(samples.map((item) => item.serverMs)), clientMs: median(samples.map((item) => item.clientMs)) };
}

try {
  await measure(streaming.reference);
  const streamed = await sample(streaming.reference);
  const viaPolls = await sample(polled.reference);
  const row = (name: string, result: Sample) => [name, result.serverMs, result.clientMs, result.clientMs - result.serverMs];
  printTable(
    `Time to first token, ms after the prediction was created, median of ${REPEATS}`,
    ['mode', 'server produced it', 'shown by run-pipeline', 'delay added'],
    [row('stream (SSE)', streamed), row('polling (0.5 s interval)', viaPolls)],
  );
} finally {
  await bench.close();
}
