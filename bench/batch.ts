/**
 * Batch benchmark: `npm run bench:batch` (npx tsx bench/batch.ts). Prints, in one run:
 *   1. rows/s against the ideal (concurrency / model latency) on the local fake server;
 *   2. throughput under a create rate limit, as a fraction of that limit;
 *   3. peak RSS while streaming 100,000 rows through the whole batch machinery (inputs stream,
 *      journal, results file, worker pool, executor) with an in-process provider that answers at once.
 * Numbers only; nothing here asserts on time.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipeline } from '../src/pipeline/index.js';
import type { Pipeline } from '../src/pipeline/types.js';
import { createReplicateProvider } from '../src/providers/replicate/provider.js';
import type { Prediction, Provider } from '../src/providers/types.js';
import { readInputRows } from '../src/run/batch-inputs.js';
import { runBatch } from '../src/run/batch.js';
import { openBatchStore } from '../src/run/journal.js';
import { createPacingGate } from '../src/run/pacing.js';
import { echoModel } from '../test/support/models.js';
import { startReplicateServer, type FaultOptions } from '../test/support/replicate-server.js';

const VERSION = 'b'.repeat(64);
const PIPELINE = `name: bench\nsteps:\n  - id: answer\n    model: bench/fixed:${VERSION}\n    template: "{{input}}"\n`;

const directory = await mkdtemp(join(tmpdir(), 'run-pipeline-bench-'));
const pipelineFile = join(directory, 'bench.yaml');
await writeFile(pipelineFile, PIPELINE);
const { pipeline } = await loadPipeline(pipelineFile);

async function writeRows(name: string, count: number): Promise<string> {
  const path = join(directory, name);
  const lines: string[] = [];
  for (let index = 0; index < count; index++) lines.push(JSON.stringify({ id: `row-${index}`, input: `product ${index}` }));
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

async function batch(name: string, provider: Provider, rowsFile: string, concurrency: number, target: Pipeline = pipeline) {
  const resultsFile = join(directory, name, 'results.jsonl');
  const store = await openBatchStore({ resultsPath: resultsFile, journalPath: `${resultsFile}.journal`, pipelineHash: target.hash });
  const started = performance.now();
  const result = await runBatch(target, { provider, rows: await readInputRows({ file: rowsFile }), store, outDir: join(directory, name), inputsFile: rowsFile, resultsFile, concurrency, pollIntervalMs: 10 });
  await store.close();
  return { ...result.summary, seconds: (performance.now() - started) / 1000 };
}

async function againstServer(name: string, options: { latencyMs: number; rows: number; concurrency: number; faults?: FaultOptions }) {
  const model = echoModel({ owner: 'bench', name: 'fixed', version: VERSION }, { run: () => ({ value: 'ok' }), processingMs: options.latencyMs });
  // A finished sync wait answers `succeeded` (the real API mostly does), so no poll is added per row.
  const server = await startReplicateServer({ models: [model], maxSyncWaitMs: 5000, syncFinishedStatus: 'succeeded', ...(options.faults ? { faults: options.faults } : {}) });
  const gate = createPacingGate();
  const provider = createReplicateProvider({ token: server.token, baseUrl: server.baseUrl, createGate: gate });
  try {
    const rowsFile = await writeRows(`${name}.jsonl`, options.rows);
    const summary = await batch(name, provider, rowsFile, options.concurrency);
    return { summary, gate: gate.stats(), throttled: server.requests.filter((request) => request.status === 429).length };
  } finally {
    await server.close();
  }
}

/** Creates per second with the provider alone: what HTTP and the fake server allow, as a yardstick. */
async function bareCreates(latencyMs: number, concurrency: number, count: number): Promise<number> {
  const model = echoModel({ owner: 'bench', name: 'fixed', version: VERSION }, { run: () => ({ value: 'ok' }), processingMs: latencyMs });
  const server = await startReplicateServer({ models: [model], maxSyncWaitMs: 5000, syncFinishedStatus: 'succeeded' });
  const provider = createReplicateProvider({ token: server.token, baseUrl: server.baseUrl });
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next += 1;
      await provider.createPrediction({ model: { owner: 'bench', name: 'fixed', version: VERSION }, input: { prompt: `row ${next}` } });
    }
  }));
  await server.close();
  return count / ((performance.now() - started) / 1000);
}

// 1. Ideal throughput: each prediction takes latencyMs on the server; C rows in flight.
{
  const latencyMs = 200;
  const concurrency = 16;
  const { summary } = await againstServer('ideal', { latencyMs, rows: 800, concurrency });
  const ideal = concurrency / (latencyMs / 1000);
  const rate = summary.rows_succeeded / summary.seconds;
  const bare = await bareCreates(latencyMs, concurrency, 800);
  console.log(`throughput: ${rate.toFixed(1)} rows/s vs ideal ${ideal.toFixed(1)} rows/s (concurrency ${concurrency}, model latency ${latencyMs} ms, ${summary.rows_succeeded} rows) = ${((rate / ideal) * 100).toFixed(1)}% of ideal`);
  console.log(`  for scale: bare creates on the same server, no batch and no pacing, reach ${bare.toFixed(1)}/s = ${((bare / ideal) * 100).toFixed(1)}% of ideal; the batch keeps ${((rate / bare) * 100).toFixed(1)}% of that`);
}

// 2. A create rate limit of 20/s (sliding 1 s window, whole-second Retry-After as Replicate sends).
{
  const limit = 20;
  const { summary, gate, throttled } = await againstServer('limited', { latencyMs: 50, rows: 300, concurrency: 16, faults: { createRateLimit: { limit, windowMs: 1000, wholeSeconds: true } } });
  const rate = summary.rows_succeeded / summary.seconds;
  console.log(`rate limit: ${rate.toFixed(1)} creates/s under a limit of ${limit}/s = ${((rate / limit) * 100).toFixed(1)}% of the limit (${summary.rows_succeeded} rows, ${throttled} 429s, ${gate.cuts} rate cuts, final rate ${gate.rate.toFixed(1)}/s)`);
}

// 3. Memory: 10,000 then 100,000 rows through the batch with a provider that answers at once (no
//    HTTP). Flat memory means the peak does not grow with the row count.
for (const rows of [10_000, 100_000]) {
  const instant: Provider = {
    getModelSchema: async () => ({ version: VERSION, input: { type: 'object', properties: { prompt: { type: 'string', 'x-order': 0 } }, required: ['prompt'] }, output: { type: 'string' }, components: {} }),
    createPrediction: async (request): Promise<Prediction> => ({ id: `p${Math.random().toString(36).slice(2)}`, status: 'succeeded', version: VERSION, output: `ok ${String(request.input.prompt)}`, error: null, logs: '', predictTime: 0.001 }),
    getPrediction: async () => {
      throw new Error('not used');
    },
    cancelPrediction: async () => {
      throw new Error('not used');
    },
  };
  const rowsFile = await writeRows(`memory-${rows}.jsonl`, rows);
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const summary = await batch(`memory-${rows}`, instant, rowsFile, 64);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  global.gc?.();
  const retained = process.memoryUsage().heapUsed - heapBefore;
  const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`memory: peak RSS ${megabytes(peak)} MB for ${summary.rows_succeeded} rows (${megabytes(baseline)} MB before the batch; in-process instant provider, concurrency 64, ${(summary.rows_succeeded / summary.seconds).toFixed(0)} rows/s); heap kept after the batch: ${global.gc ? `${megabytes(retained)} MB` : 'run with node --expose-gc to measure'}`);
}

await rm(directory, { recursive: true, force: true });
