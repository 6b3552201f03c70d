/**
 * A few hundred rows through the library against a server that throttles, errs, drops
 * connections (before and after creating) and fails predictions: every row is accounted for with
 * one results line, no step is ever bought twice, and --retry-failed re-runs only what failed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadPipeline } from '../../src/pipeline/index.js';
import { createReplicateProvider } from '../../src/providers/replicate/provider.js';
import { readInputRows } from '../../src/run/batch-inputs.js';
import { runBatch } from '../../src/run/batch.js';
import { openBatchStore } from '../../src/run/journal.js';
import { createPacingGate } from '../../src/run/pacing.js';
import { readResultLines, succeededByInput, TWO_STEP_PIPELINE, writeRows } from '../support/batch-helpers.js';
import { makeTempDir, writePipeline } from '../support/cli.js';
import { dollyModel } from '../support/models.js';
import { startReplicateServer, type ReplicateServer } from '../support/replicate-server.js';

const ROWS = 300;
let server: ReplicateServer;
let temp: { path: string; cleanup: () => Promise<void> };

before(async () => {
  server = await startReplicateServer({
    models: [dollyModel({ tokenIntervalMs: 1 })],
    maxSyncWaitMs: 30,
    faults: { seed: 7, throttleRate: 0.05, retryAfterSeconds: 1, serverErrorRate: 0.03, dropRate: 0.02, createThenDropRate: 0.03, failRate: 0.04 },
  });
  temp = await makeTempDir();
});
after(async () => {
  await server.close();
  await temp.cleanup();
});

/** One invocation of the batch, as the CLI wires it, with waits scaled down for the test. */
async function runOnce(pipelineFile: string, rowsFile: string, retryFailed: boolean) {
  const { pipeline } = await loadPipeline(pipelineFile);
  const resultsFile = join(temp.path, 'out', 'results.jsonl');
  const store = await openBatchStore({ resultsPath: resultsFile, journalPath: `${resultsFile}.journal`, pipelineHash: pipeline.hash, retryFailed });
  const provider = createReplicateProvider({
    token: server.token,
    baseUrl: server.baseUrl,
    retry: { retries: 8, minDelayMs: 5, maxDelayMs: 40, retryAfterScale: 0.01 },
    // These 429s come at random, not from going too fast: a gentle cut and a quick recovery keep
    // AIMD from drifting to a crawl (the benchmark measures pacing against a real rate limit).
    createGate: createPacingGate({ retryAfterScale: 0.01, decrease: 0.9, increase: 50 }),
  });
  try {
    return await runBatch(pipeline, {
      provider,
      rows: await readInputRows({ file: rowsFile }),
      store,
      outDir: join(temp.path, 'out'),
      inputsFile: rowsFile,
      resultsFile,
      concurrency: 8,
      pollIntervalMs: 10,
    });
  } finally {
    await store.close();
  }
}

test('every row is accounted for once, no step is paid twice, and a retry re-runs only failed steps', async () => {
  const pipelineFile = await writePipeline(temp.path, 'two-step.yaml', TWO_STEP_PIPELINE);
  const rowsFile = await writeRows(temp.path, 'rows.jsonl', ROWS);

  const first = await runOnce(pipelineFile, rowsFile, false);
  const faults = server.faultCounts;
  assert.ok(faults.throttled > 0 && faults.serverErrors > 0 && faults.drops > 0 && faults.createThenDrops > 0 && faults.failures > 0, `every kind of fault happened: ${JSON.stringify(faults)}`);
  let lines = await readResultLines(join(temp.path, 'out', 'results.jsonl'));
  assert.equal(lines.length, ROWS, 'one line per row');
  assert.equal(new Set(lines.map((line) => line.key)).size, ROWS, 'no row has two lines');
  assert.equal(first.summary.rows_succeeded + first.summary.rows_failed, ROWS);
  assert.equal(first.summary.rows_failed, lines.filter((line) => line.status === 'failed').length);
  assert.ok(first.summary.rows_failed > 0, 'some predictions failed');
  assert.ok([...succeededByInput(server).values()].every((count) => count === 1), 'a lost create answer never led to a second prediction');

  const paidFor = new Set([...server.predictions.values()].filter((prediction) => prediction.status === 'succeeded').map((prediction) => JSON.stringify(prediction.input)));
  const createsBefore = server.creates().length;
  const second = await runOnce(pipelineFile, rowsFile, true);
  const retried = server.creates().slice(createsBefore);
  assert.ok(retried.length > 0);
  for (const request of retried) {
    const input = JSON.stringify((request.body as { input: unknown }).input);
    assert.ok(!paidFor.has(input), `a step that had succeeded was created again: ${input}`);
  }
  assert.equal(second.summary.rows_skipped, ROWS - first.summary.rows_failed, 'succeeded rows were skipped');
  lines = await readResultLines(join(temp.path, 'out', 'results.jsonl'));
  assert.equal(lines.length, ROWS);
  assert.equal(new Set(lines.map((line) => line.key)).size, ROWS);
  assert.ok([...succeededByInput(server).values()].every((count) => count === 1));
  assert.equal(server.running().length, 0);
});
