/**
 * The crash test, with the built binary as CI runs it: kill -9 in the middle of a batch, re-run
 * the same command, and the server has sold exactly as many predictions as an uninterrupted run
 * buys; the results file parses and has one line per row.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readResultLines, succeededByInput, succeededCount, TWO_STEP_PIPELINE, writeRows } from '../support/batch-helpers.js';
import { makeTempDir, runCli, spawnCli, writePipeline } from '../support/cli.js';
import { dollyModel } from '../support/models.js';
import { waitUntil } from '../support/replicate-client.js';
import { startReplicateServer, type ReplicateServer } from '../support/replicate-server.js';

const ROWS = 60;
let temp: { path: string; cleanup: () => Promise<void> };
const servers: ReplicateServer[] = [];

before(async () => {
  temp = await makeTempDir();
});
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await temp.cleanup();
});

async function startServer(): Promise<{ server: ReplicateServer; env: NodeJS.ProcessEnv }> {
  const server = await startReplicateServer({ models: [dollyModel({ tokenIntervalMs: 4 })], maxSyncWaitMs: 100 });
  servers.push(server);
  const env = { REPLICATE_API_TOKEN: server.token, REPLICATE_BASE_URL: server.url, REPLICATE_POLL_INTERVAL: '0.01', RUN_PIPELINE_CACHE_DIR: join(temp.path, 'cache') };
  return { server, env };
}

test('kill -9 mid-batch, then the same command again: as many predictions as an uninterrupted run', async () => {
  const pipeline = await writePipeline(temp.path, 'two-step.yaml', TWO_STEP_PIPELINE);
  const rows = await writeRows(temp.path, 'rows.jsonl', ROWS);

  const clean = await startServer();
  const cleanRun = await runCli([pipeline, '--inputs', rows, '--out-dir', join(temp.path, 'clean'), '--concurrency', '8'], { env: clean.env });
  assert.equal(cleanRun.code, 0, cleanRun.stderr);
  const expected = { succeeded: succeededCount(clean.server), creates: clean.server.creates().length };
  assert.equal(expected.succeeded, ROWS * 2);

  const crashed = await startServer();
  const argv = [pipeline, '--inputs', rows, '--out-dir', join(temp.path, 'crashed'), '--concurrency', '8'];
  const victim = spawnCli(argv, { env: crashed.env });
  await waitUntil(() => (crashed.server.creates().length >= 50 ? true : undefined), { timeoutMs: 30_000 });
  victim.child.kill('SIGKILL');
  await victim.result;
  const atKill = crashed.server.creates().length;
  assert.ok(atKill < ROWS * 2, 'killed mid-batch');

  const rerun = await runCli(argv, { env: crashed.env });
  assert.equal(rerun.code, 0, rerun.stderr);
  await waitUntil(() => (crashed.server.running().length === 0 ? true : undefined), { timeoutMs: 5000 });
  assert.equal(succeededCount(crashed.server), expected.succeeded, 'the same number of succeeded predictions');
  assert.equal(crashed.server.creates().length, expected.creates, 'and the same number of creates: nothing was bought twice');
  assert.ok([...succeededByInput(crashed.server).values()].every((count) => count === 1));
  const lines = await readResultLines(join(temp.path, 'crashed', 'results.jsonl'));
  assert.equal(lines.length, ROWS, 'one line per row');
  assert.equal(new Set(lines.map((line) => line.key)).size, ROWS);
  assert.ok(lines.every((line) => line.status === 'succeeded'));
  assert.ok(lines.some((line) => line.steps.some((step) => step.resumed !== undefined)), 'the re-run picked up work of the killed one');
});
