/**
 * The core chain through the real `replicate` client against the local Replicate server:
 * threading, file outputs, failures, rate limits, slow models. In-process through main().
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import { isValidPng } from '../support/png.js';
import { dollyModel, llama3Model, renamedModel, stableDiffusionModel } from '../support/models.js';
import type { ReplicateServer } from '../support/replicate-server.js';
import { runMain, startCliEnvironment, writePipeline } from '../support/cli.js';

const DOLLY = 'replicate/dolly-v2-12b:ef0e1aefc61f8e096ebe4db6b2bacc297daf2ef6899f0f7e001ec445893500e5';


let server: ReplicateServer;
let temp: { path: string; cleanup: () => Promise<void> };
let env: NodeJS.ProcessEnv;
let close: () => Promise<void>;

before(async () => {
  ({ server, temp, env, close } = await startCliEnvironment({ models: [dollyModel(), stableDiffusionModel(), llama3Model()], maxSyncWaitMs: 200 }));
});
after(() => close());
beforeEach(() => server.reset());

function promptsSent(): string[] {
  return server.creates().map((request) => ((request.body as { input: { prompt: string } }).input.prompt));
}

describe('the logo chain', () => {
  test('threads each output into the next prompt and saves the image', async () => {
    const file = await writePipeline(temp.path, 'logo.yaml', await readFile('pipelines/logo.yaml', 'utf8'));
    const outDir = `${temp.path}/out-logo`;
    const result = await runMain([file, '--input', 'colorful socks', '--out-dir', outDir, '--json'], { env });
    assert.equal(result.code, 0, result.stderr);
    const record = JSON.parse(result.stdout) as { output: string; steps: { id: string; output: string; input: Record<string, unknown>; files: { path: string; url: string }[]; prediction_id: string; status: string }[] };
    assert.deepEqual(record.steps.map((step) => step.status), ['succeeded', 'succeeded', 'succeeded']);
    const prompts = promptsSent();
    assert.equal(prompts.length, 3);
    assert.equal(prompts[0], 'What is a good name for a company that makes colorful socks?');
    assert.equal(prompts[1], `Write a description of a logo for this company: ${record.steps[0]?.output}`);
    assert.equal(prompts[2], record.steps[1]?.output);
    const sdInput = (server.creates()[2]?.body as { input: Record<string, unknown> }).input;
    assert.equal(sdInput.image_dimensions, '512x512');
    assert.deepEqual(record.steps[2]?.input, sdInput, 'the record keeps exactly what was sent');
    const saved = record.steps[2]?.files[0];
    assert.ok(saved, 'the image step records its file');
    assert.equal(record.output, saved.path);
    assert.ok(isValidPng(new Uint8Array(await readFile(saved.path))), 'a valid PNG was saved');
    assert.ok(saved.path.startsWith(outDir));
    const runJson = JSON.parse(await readFile(`${outDir}/run.json`, 'utf8')) as { run_id: string };
    assert.equal(runJson.run_id, (JSON.parse(result.stdout) as { run_id: string }).run_id);
  });

  test('prints the final file path on stdout and the intermediate texts on stderr', async () => {
    const file = await writePipeline(temp.path, 'logo2.yaml', await readFile('pipelines/logo.yaml', 'utf8'));
    const result = await runMain([file, '--input', 'colorful socks', '--out-dir', `${temp.path}/out-logo2`, '--log-format', 'pretty'], { env });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /logo\.png$/);
    assert.ok(result.stderr.includes('colorful socks'), 'the company name (which echoes the prompt) appears on stderr');
  });
});

describe('threading is exact', () => {
  test('quotes, apostrophes, &, < and {{ survive byte for byte and are never re-rendered', async () => {
    const file = await writePipeline(
      temp.path,
      'echo.yaml',
      `steps:\n  - id: first\n    model: ${DOLLY}\n    template: "{{input}}"\n  - id: second\n    model: ${DOLLY}\n    template: "Again: {{first}}"\n`,
    );
    const tricky = `Tom's Socks & Co. <b>"bold"</b> {{input}} {{#if x}}`;
    const result = await runMain([file, '--input', tricky, '--json', '--out-dir', `${temp.path}/out-echo`], { env });
    assert.equal(result.code, 0, result.stderr);
    const prompts = promptsSent();
    assert.equal(prompts[0], tricky);
    const record = JSON.parse(result.stdout) as { steps: { output: string }[] };
    assert.ok(record.steps[0]?.output.includes(tricky), 'the fake echoes its prompt');
    assert.equal(prompts[1], `Again: ${record.steps[0]?.output}`);
  });
});

describe('mistakes cost nothing', () => {
  test('a template naming a missing variable exits 2 with its position and sends nothing', async () => {
    const file = await writePipeline(temp.path, 'missing.yaml', `steps:\n  - id: name\n    model: ${DOLLY}\n    template: "Name for {{product}}"\n`);
    const result = await runMain([file, '--input', 'socks'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /missing\.yaml:4:\d+/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(server.requests.length, 0);
  });

  test('a missing file exits 2 and sends nothing', async () => {
    const result = await runMain([`${temp.path}/nope.yaml`, '--input', 'x'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nope\.yaml/);
    assert.equal(server.requests.length, 0);
  });

  test('a missing token is explained before any work', async () => {
    const file = await writePipeline(temp.path, 'ok.yaml', `steps:\n  - id: name\n    model: ${DOLLY}\n    template: "{{input}}"\n`);
    const result = await runMain([file, '--input', 'x'], { env: { ...env, REPLICATE_API_TOKEN: '' } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /REPLICATE_API_TOKEN/);
    assert.match(result.stderr, /api-tokens/);
    assert.equal(server.requests.length, 0);
  });

  test('--dry-run renders every template with placeholders and calls nothing', async () => {
    const file = await writePipeline(temp.path, 'logo-dry.yaml', await readFile('pipelines/logo.yaml', 'utf8'));
    const result = await runMain([file, '--input', 'colorful socks', '--dry-run'], { env: {} });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /What is a good name for a company that makes colorful socks\?/);
    assert.match(result.stdout, /Write a description of a logo for this company: <output of company_name>/);
    assert.match(result.stdout, /image_dimensions: 512x512/);
    assert.equal(server.requests.length, 0);
  });
});

describe('failures', () => {
  test('a failed prediction exits 1 with the model\'s error and is not retried', async () => {
    const broken = renamedModel(dollyModel({ run: () => ({ error: 'CUDA out of memory' }) }), 'broken');
    server.addModel(broken.model);
    const file = await writePipeline(temp.path, 'broken.yaml', `steps:\n  - id: name\n    model: ${broken.reference}\n    template: "{{input}}"\n`);
    const result = await runMain([file, '--input', 'x', '--out-dir', `${temp.path}/out-broken`], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /CUDA out of memory/);
    assert.match(result.stderr, /E_PREDICTION_FAILED/);
    assert.equal(server.creates().length, 1);
  });

  test('a rejected token exits 1 with a hint and never prints the token', async () => {
    const file = await writePipeline(temp.path, 'auth.yaml', `steps:\n  - id: name\n    model: ${DOLLY}\n    template: "{{input}}"\n`);
    const secret = 'r8_this_is_a_wrong_secret_token';
    const result = await runMain([file, '--input', 'x', '--log-level', 'trace'], { env: { ...env, REPLICATE_API_TOKEN: secret } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /E_AUTH/);
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'the token never appears');
  });

  test('a 429 waits for Retry-After before the one retry', async () => {
    server.inject({ method: 'POST', path: '/v1/predictions', times: 1, status: 429, headers: { 'Retry-After': '1' }, body: { detail: 'Request was throttled. Your rate limit resets in ~1s.' } });
    const file = await writePipeline(temp.path, 'throttled.yaml', `steps:\n  - id: name\n    model: ${DOLLY}\n    template: "{{input}}"\n`);
    const result = await runMain([file, '--input', 'x', '--out-dir', `${temp.path}/out-429`], { env });
    assert.equal(result.code, 0, result.stderr);
    const creates = server.requests.filter((request) => request.method === 'POST' && request.path === '/v1/predictions');
    assert.equal(creates.length, 2, 'one throttled request and one retry, not six instant ones');
    const gap = (creates[1]?.time ?? 0) - (creates[0]?.time ?? 0);
    assert.ok(gap >= 950, `the retry waited for Retry-After (gap ${gap} ms)`);
  });

  test('a 429 without Retry-After waits the time named in the body', async () => {
    server.inject({ method: 'POST', path: '/v1/predictions', times: 2, status: 429, body: { detail: 'Request was throttled. Your rate limit resets in ~1s.' } });
    const file = await writePipeline(temp.path, 'throttled2.yaml', `steps:\n  - id: name\n    model: ${DOLLY}\n    template: "{{input}}"\n`);
    const result = await runMain([file, '--input', 'x', '--out-dir', `${temp.path}/out-429b`], { env });
    assert.equal(result.code, 0, result.stderr);
    const creates = server.requests.filter((request) => request.method === 'POST' && request.path === '/v1/predictions');
    assert.equal(creates.length, 3);
    for (let index = 1; index < creates.length; index++) {
      const gap = (creates[index]?.time ?? 0) - (creates[index - 1]?.time ?? 0);
      assert.ok(gap >= 950, `retry ${index} waited (gap ${gap} ms)`);
    }
  });

  test('a 5xx on polling is retried with backoff and the run still succeeds', async () => {
    server.inject({ method: 'GET', path: /^\/v1\/predictions\/\w+$/, times: 2, status: 503, body: { detail: 'upstream unavailable' } });
    const slowish = renamedModel(dollyModel({ tokenIntervalMs: 60 }), 'slowish');
    server.addModel(slowish.model);
    const file = await writePipeline(temp.path, 'flaky.yaml', `steps:\n  - id: name\n    model: ${slowish.reference}\n    template: "{{input}}"\n`);
    const result = await runMain([file, '--input', 'flaky', '--json', '--out-dir', `${temp.path}/out-5xx`], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(server.creates().length, 1, 'a failed poll never creates a second prediction');
  });
});

describe('slow models', () => {
  test('a model slower than the sync wait still yields its complete output', async () => {
    const slow = renamedModel(dollyModel({ tokenIntervalMs: 40 }), 'slow');
    server.addModel(slow.model);
    const file = await writePipeline(temp.path, 'slow.yaml', `steps:\n  - id: name\n    model: ${slow.reference}\n    template: "{{input}}"\n`);
    const prompt = 'one two three four five six seven eight nine ten';
    const result = await runMain([file, '--input', prompt, '--json', '--out-dir', `${temp.path}/out-slow`], { env });
    assert.equal(result.code, 0, result.stderr);
    const record = JSON.parse(result.stdout) as { output: string };
    const prediction = [...server.predictions.values()][0];
    assert.ok(prediction);
    const polls = server.requests.filter((request) => request.method === 'GET' && request.path.startsWith('/v1/predictions/'));
    assert.ok(polls.length > 0, 'it polled after the sync wait ran out');
    assert.equal(record.output, (prediction.object.output as string[]).join(''));
    assert.ok(record.output.includes(prompt));
  });
});
