/**
 * Runner overhead: the wall time of the three-step logo chain (text, text, image) against the sum
 * of its predictions' own latencies on the server (created → completed). The difference, per
 * step, is what this tool adds: HTTP round trips, schema lookups, the final GET, downloads.
 */
import { median, printTable, runYaml, startBench, type Bench } from './harness.js';
import { DOLLY_VERSION, STABLE_DIFFUSION_VERSION, dollyModel, stableDiffusionModel } from '../test/support/models.js';

const REPEATS = 3;
const yaml = `steps:
  - id: company_name
    model: replicate/dolly-v2-12b:${DOLLY_VERSION}
    template: What is a good name for a company that makes {{input}}?
  - id: logo_description
    model: replicate/dolly-v2-12b:${DOLLY_VERSION}
    template: "Write a description of a logo for this company: {{company_name}}"
  - id: logo
    model: stability-ai/stable-diffusion:${STABLE_DIFFUSION_VERSION}
    template: "{{logo_description}}"
    model_kwargs:
      image_dimensions: 512x512
`;
const bench: Bench = await startBench([dollyModel({ tokenIntervalMs: 20, startDelayMs: 50 }), stableDiffusionModel({ processingMs: 400, startDelayMs: 50, imageSize: 64 })]);

type Sample = { wallMs: number; serverMs: number };

async function measure(): Promise<Sample> {
  const before = new Set(bench.server.predictions.keys());
  const started = Date.now();
  const { error } = await runYaml(bench, yaml, { input: 'colorful socks' });
  const wallMs = Date.now() - started;
  if (error) throw error;
  const created = [...bench.server.predictions.values()].filter((prediction) => !before.has(prediction.id));
  const serverMs = created.reduce((sum, prediction) => sum + ((prediction.completedAt ?? prediction.createdAt) - prediction.createdAt), 0);
  return { wallMs, serverMs };
}

try {
  const cold = await measure();
  const warm: Sample[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) warm.push(await measure());
  const steady = { wallMs: median(warm.map((item) => item.wallMs)), serverMs: median(warm.map((item) => item.serverMs)) };
  const row = (name: string, result: Sample) => [name, result.wallMs, result.serverMs, result.wallMs - result.serverMs, Math.round((result.wallMs - result.serverMs) / 3)];
  printTable(
    'Logo chain (3 steps): wall time vs the sum of server-side prediction latencies, ms',
    ['run', 'chain wall', 'sum of model latencies', 'overhead', 'overhead per step'],
    [row('first run (schemas fetched)', cold), row(`later runs (median of ${REPEATS})`, steady)],
  );
} finally {
  await bench.close();
}
