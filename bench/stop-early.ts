/**
 * Stopping early: a model that emits 200 tokens ~10 ms apart, with the stop sequence after the
 * 20th. The full generation (what waiting and cutting afterwards costs) is the baseline, measured
 * in the same process; the stopped run should take and bill about a tenth of it.
 */
import { median, printTable, runYaml, startBench, textModel } from './harness.js';

const TOKENS = 200;
const STOP_AT = 20;
const INTERVAL_MS = 10;
const REPEATS = 3;

const tokens = Array.from({ length: TOKENS }, (_, index) => (index === STOP_AT ? ' STOP' : ` w${index}`));
const streaming = textModel('stop-streaming', tokens, INTERVAL_MS);
const polled = textModel('stop-polled', tokens, INTERVAL_MS, { stream: false });
const bench = await startBench([streaming.model, polled.model]);

type Sample = { wallMs: number; billedSeconds: number; generated: number };

async function measure(reference: string, stop: boolean): Promise<Sample> {
  const yaml = `steps:\n  - id: text\n    model: ${reference}\n    template: "{{input}}"\n${stop ? '    stop: STOP\n' : ''}`;
  const { record, error } = await runYaml(bench, yaml);
  if (error) throw error;
  const step = record.steps[0];
  const prediction = bench.server.predictions.get(step?.prediction_id ?? '');
  return { wallMs: step?.duration_ms ?? Number.NaN, billedSeconds: step?.metrics.predict_time ?? Number.NaN, generated: prediction?.chunks.length ?? 0 };
}

async function sample(reference: string, stop: boolean): Promise<Sample> {
  const samples: Sample[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) samples.push(await measure(reference, stop));
  return { wallMs: median(samples.map((item) => item.wallMs)), billedSeconds: median(samples.map((item) => item.billedSeconds)), generated: median(samples.map((item) => item.generated)) };
}

try {
  await measure(streaming.reference, false); // warm the schema cache and the connection pool
  const full = await sample(streaming.reference, false);
  const stopped = await sample(streaming.reference, true);
  const stoppedPolled = await sample(polled.reference, true);
  const row = (name: string, result: Sample) => [name, result.generated, result.wallMs, result.billedSeconds.toFixed(3), `${((result.wallMs / full.wallMs) * 100).toFixed(0)} %`];
  printTable(
    `Stop sequence after token ${STOP_AT} of ${TOKENS} (~${INTERVAL_MS} ms/token), median of ${REPEATS}`,
    ['run', 'tokens generated', 'step wall ms', 'billed predict_time s', 'wall vs full'],
    [row('full generation, cut afterwards', full), row('stopped (stream)', stopped), row('stopped (polling, 0.5 s)', stoppedPolled)],
  );
} finally {
  await bench.close();
}
