/**
 * Every way a run ends early leaves nothing running on Replicate: step and run timeouts, Ctrl-C
 * (in-process and on the spawned binary), a Ctrl-C while a create is held, --max-predictions.
 * And every run says what it spent.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { runMain, spawnCli, startCliEnvironment, writePipeline } from '../support/cli.js';
import type { FakeModel } from '../support/fake-model.js';
import { DOLLY_VERSION, dollyModel, renamedModel, stableDiffusionModel } from '../support/models.js';
import { waitUntil } from '../support/replicate-client.js';
import type { ReplicateServer } from '../support/replicate-server.js';

const DOLLY = `replicate/dolly-v2-12b:${DOLLY_VERSION}`;

let server: ReplicateServer;
let temp: { path: string; cleanup: () => Promise<void> };
let env: NodeJS.ProcessEnv;
let close: () => Promise<void>;

/** A text model that takes `count × intervalMs` to generate, under its own name. */
function addSlowModel(name: string, count = 200, intervalMs = 20, extra: Partial<FakeModel> = {}): string {
  const { model, reference } = renamedModel({ ...dollyModel({ tokens: Array.from({ length: count }, (_, index) => ` t${index}`), tokenIntervalMs: intervalMs }), ...extra }, name);
  server.addModel(model);
  return reference;
}


before(async () => {
  ({ server, temp, env, close } = await startCliEnvironment({ models: [dollyModel(), stableDiffusionModel()], maxSyncWaitMs: 5000 }));
});
after(() => close());
beforeEach(() => server.reset());

describe('timeouts', () => {
  test('a step past its timeout is canceled and fails the run (exit 1) naming the step and the limit', async () => {
    const slow = addSlowModel('slow-step');
    const file = await writePipeline(temp.path, 'step-timeout.yaml', `steps:\n  - id: draft\n    model: ${slow}\n    template: "{{input}}"\n    timeout: 0.3\n`);
    const result = await runMain([file, '--input', 'x', '--json', '--out-dir', `${temp.path}/out-step-timeout`], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /step "draft" ran past its timeout of 0\.3 s/);
    assert.match(result.stderr, /E_TIMEOUT/);
    const record = JSON.parse(result.stdout) as { status: string; error: { code: string; step: string } };
    assert.equal(record.status, 'failed');
    assert.deepEqual([record.error.code, record.error.step], ['E_TIMEOUT', 'draft']);
    assert.equal(server.creates()[0]?.headers['cancel-after'], '5s', 'Replicate also stops it if we die (5 s is its minimum)');
    assert.equal(server.cancels().length, 1, 'the prediction was canceled');
    assert.deepEqual(server.running(), []);
  });

  test('--timeout limits the whole run and names the step it stopped', async () => {
    const slow = addSlowModel('slow-run');
    const file = await writePipeline(temp.path, 'run-timeout.yaml', `steps:\n  - id: first\n    model: ${DOLLY}\n    template: "{{input}}"\n  - id: second\n    model: ${slow}\n    template: "{{first}}"\n`);
    const result = await runMain([file, '--input', 'x', '--timeout', '0.5', '--out-dir', `${temp.path}/out-run-timeout`], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /the run ran past --timeout 0\.5 s during step "second"/);
    assert.ok(server.cancels().length >= 1);
    assert.deepEqual(server.running(), []);
  });

  test('a malformed --timeout is a usage error and sends nothing', async () => {
    const file = await writePipeline(temp.path, 'bad-timeout.yaml', `steps:\n  - id: first\n    model: ${DOLLY}\n    template: "{{input}}"\n`);
    const result = await runMain([file, '--input', 'x', '--timeout', 'soon'], { env });
    assert.equal(result.code, 2);
    assert.equal(server.requests.length, 0);
  });
});

describe('interrupts', () => {
  test('Ctrl-C in the middle of a generation cancels it, reports what finished, and exits 130', async () => {
    const slow = addSlowModel('interrupted');
    const file = await writePipeline(temp.path, 'interrupt.yaml', `steps:\n  - id: first\n    model: ${DOLLY}\n    template: "{{input}}"\n  - id: second\n    model: ${slow}\n    template: "{{first}}"\n`);
    const controller = new AbortController();
    const running = runMain([file, '--input', 'x', '--log-format', 'pretty', '--out-dir', `${temp.path}/out-interrupt`], { env, signal: controller.signal });
    await waitUntil(() => (server.creates().length === 2 && server.running().length === 1) || undefined, { timeoutMs: 5000 });
    controller.abort();
    const result = await running;
    assert.equal(result.code, 130);
    assert.match(result.stderr, /interrupted: finished: first; second interrupted/);
    assert.equal(server.cancels().length, 1);
    assert.deepEqual(server.running(), []);
  });

  test('Ctrl-C while a create is held under Prefer: wait finds the prediction it made and cancels it', async () => {
    const images = `stability-ai/stable-diffusion:${'db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf'}`;
    server.addModel(stableDiffusionModel({ processingMs: 3000 }));
    const file = await writePipeline(temp.path, 'held.yaml', `steps:\n  - id: logo\n    model: ${images}\n    template: "{{input}}"\n`);
    const controller = new AbortController();
    const running = runMain([file, '--input', 'x', '--out-dir', `${temp.path}/out-held`], { env, signal: controller.signal });
    await waitUntil(() => (server.creates().length === 1 && server.running().length === 1) || undefined, { timeoutMs: 5000 });
    assert.ok(server.creates()[0]?.headers.prefer, 'the create is held');
    controller.abort();
    const result = await running;
    assert.equal(result.code, 130);
    assert.equal(server.cancels().length, 1, 'the prediction whose id we never saw was canceled');
    assert.deepEqual(server.running(), []);
  });

  test('SIGINT to the binary mid-generation: exit 130, the prediction canceled, what finished printed', async () => {
    const slow = addSlowModel('sigint', 400, 20);
    const file = await writePipeline(temp.path, 'sigint.yaml', `steps:\n  - id: first\n    model: ${DOLLY}\n    template: "{{input}}"\n  - id: second\n    model: ${slow}\n    template: "{{first}}"\n`);
    const cli = spawnCli([file, '--input', 'x', '--out-dir', `${temp.path}/out-sigint`], { env });
    await waitUntil(() => (server.creates().length === 2 && (server.running()[0]?.chunks.length ?? 0) > 3) || undefined, { timeoutMs: 10_000 });
    cli.child.kill('SIGINT');
    const result = await cli.result;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /SIGINT received/);
    assert.match(result.stderr, /"event":"run-summary".*"finished":\["first"\]/);
    assert.equal(server.cancels().length, 1);
    assert.deepEqual(server.running(), []);
  });

  test('a second SIGINT exits at once, even while the first is still canceling', async () => {
    const slow = addSlowModel('sigint-twice', 400, 20);
    const file = await writePipeline(temp.path, 'sigint-twice.yaml', `steps:\n  - id: only\n    model: ${slow}\n    template: "{{input}}"\n`);
    // Every cancel fails, so the first interrupt keeps retrying it (with backoff) for seconds.
    server.inject({ method: 'POST', path: /\/cancel$/, times: 100, status: 0, dropConnection: true });
    const cli = spawnCli([file, '--input', 'x', '--out-dir', `${temp.path}/out-sigint-twice`], { env });
    await waitUntil(() => ((server.running()[0]?.chunks.length ?? 0) > 3) || undefined, { timeoutMs: 10_000 });
    cli.child.kill('SIGINT');
    await waitUntil(() => server.cancels().length > 0 || undefined, { timeoutMs: 5000 });
    cli.child.kill('SIGINT');
    const result = await cli.result;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /second interrupt, exiting now/);
    assert.equal(server.running().length, 1, 'the prediction was left running, as the message warns');
  });
});

describe('errors', () => {
  test('an error while following a prediction cancels it before the run fails', async () => {
    const polled = addSlowModel('poll-errors', 200, 20, { stream: false });
    server.inject({ method: 'GET', path: /^\/v1\/predictions\/\w+$/, times: Infinity, status: 404 });
    const file = await writePipeline(temp.path, 'poll-error.yaml', `steps:\n  - id: draft\n    model: ${polled}\n    template: "{{input}}"\n`);
    const result = await runMain([file, '--input', 'x', '--out-dir', `${temp.path}/out-poll-error`], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /E_NOT_FOUND/);
    assert.equal(server.cancels().length, 1);
    assert.deepEqual(server.running(), []);
  });
});

describe('--max-predictions', () => {
  test('refuses the prediction that would exceed the limit, before creating it', async () => {
    const file = await writePipeline(temp.path, 'limit.yaml', `steps:\n  - id: first\n    model: ${DOLLY}\n    template: "{{input}}"\n  - id: second\n    model: ${DOLLY}\n    template: "{{first}}"\n`);
    const result = await runMain([file, '--input', 'x', '--max-predictions', '1', '--out-dir', `${temp.path}/out-limit`], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /E_LIMIT/);
    assert.equal(server.creates().length, 1);
  });

  test('retries of a failed prediction count', async () => {
    const id = createHash('sha256').update('always-fails').digest('hex');
    const base = dollyModel({ run: () => ({ error: 'CUDA out of memory' }) });
    server.addModel({ ...base, owner: 'acme', name: 'always-fails', versions: [{ id, openapiSchema: base.versions[0]?.openapiSchema ?? {} }] });
    const file = await writePipeline(temp.path, 'limit-retries.yaml', `steps:\n  - id: first\n    model: acme/always-fails:${id}\n    template: "{{input}}"\n    retries: 5\n`);
    const result = await runMain([file, '--input', 'x', '--max-predictions', '2', '--out-dir', `${temp.path}/out-limit-retries`], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /E_LIMIT/);
    assert.equal(server.creates().length, 2);
  });
});

describe('what a run spent', () => {
  test('the record has queue time per step and the run summary; stderr ends with the summary line', async () => {
    const queued = addSlowModel('queued', 5, 5, { startDelayMs: 40 });
    const file = await writePipeline(temp.path, 'cost.yaml', `steps:\n  - id: first\n    model: ${queued}\n    template: "{{input}}"\n  - id: second\n    model: ${DOLLY}\n    template: "{{first}}"\n`);
    const result = await runMain([file, '--input', 'x', '--json', '--log-format', 'pretty', '--out-dir', `${temp.path}/out-cost`], { env });
    assert.equal(result.code, 0, result.stderr);
    const record = JSON.parse(result.stdout) as { steps: { queue_ms: number | null; metrics: { predict_time: number } }[]; summary: { predictions: number; compute_seconds: number; wall_seconds: number; queue_seconds: number } };
    assert.ok((record.steps[0]?.queue_ms ?? 0) >= 30, 'the first step waited in the queue');
    assert.equal(record.summary.predictions, 2);
    const compute = record.steps.reduce((sum, step) => sum + step.metrics.predict_time, 0);
    assert.ok(Math.abs(record.summary.compute_seconds - compute) < 0.002, 'compute is the sum of predict_time');
    assert.ok(record.summary.wall_seconds > 0);
    const lastLine = result.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(lastLine, /^2 predictions · \d+\.\d s compute · \d+\.\d s wall$/);
  });

  test('with JSON logs the same figures come as a run-summary event', async () => {
    const file = await writePipeline(temp.path, 'cost-json.yaml', `steps:\n  - id: first\n    model: ${DOLLY}\n    template: "{{input}}"\n`);
    const result = await runMain([file, '--input', 'x', '--log-format', 'json', '--out-dir', `${temp.path}/out-cost-json`], { env });
    assert.equal(result.code, 0, result.stderr);
    const summary = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.event === 'run-summary');
    assert.ok(summary);
    assert.equal(summary.predictions, 1);
    assert.equal(typeof summary.computeSeconds, 'number');
    assert.match(String(summary.msg), /^1 prediction · /);
  });
});
