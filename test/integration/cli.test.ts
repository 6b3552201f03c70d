/** The built binary, spawned exactly as a user runs it, plus `check --remote` against the local server. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import { dollyModel, llama3Model, stableDiffusionModel } from '../support/models.js';
import { isValidPng } from '../support/png.js';
import type { ReplicateServer } from '../support/replicate-server.js';
import { runCli, runMain, startCliEnvironment, writePipeline } from '../support/cli.js';

let server: ReplicateServer;
let temp: { path: string; cleanup: () => Promise<void> };
let env: NodeJS.ProcessEnv;
let close: () => Promise<void>;

before(async () => {
  ({ server, temp, env, close } = await startCliEnvironment({ models: [dollyModel(), stableDiffusionModel(), llama3Model()], maxSyncWaitMs: 200 }));
});
after(() => close());
beforeEach(() => server.reset());

describe('the binary', () => {
  test('runs the reference chain: texts on stderr, the saved PNG\'s path on stdout', async () => {
    const result = await runCli(['pipelines/logo.yaml', '--input', 'colorful socks', '--out-dir', `${temp.path}/e2e`], { env });
    assert.equal(result.code, 0, result.stderr);
    const path = result.stdout.trim();
    assert.match(path, /logo\.png$/);
    assert.ok(isValidPng(new Uint8Array(await readFile(path))));
    assert.match(result.stderr, /colorful socks/, 'the company name is shown as it is produced');
    assert.equal(server.creates().length, 3);
    assert.ok(!result.stderr.includes(server.token) && !result.stdout.includes(server.token), 'the token never appears');
    const record = await readFile(`${temp.path}/e2e/run.json`, 'utf8');
    assert.ok(!record.includes(server.token), 'the token is not stored');
  });

  test('a bad pipeline exits 2 with file:line:col and no stack trace', async () => {
    const file = await writePipeline(temp.path, 'typo.yaml', 'steps:\n  - id: a\n    model: replicate/dolly-v2-12b:ef0e1aefc61f8e096ebe4db6b2bacc297daf2ef6899f0f7e001ec445893500e5\n    template: "{{inptu}}"\n');
    const result = await runCli([file, '--input', 'x'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /typo\.yaml:4:\d+: error: .*inptu.*\[E_REFERENCE\]/);
    assert.match(result.stderr, /did you mean "input"/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.equal(server.requests.length, 0);
  });

  test('--version and --help answer without a token', async () => {
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), (JSON.parse(await readFile('package.json', 'utf8')) as { version: string }).version);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--dry-run/);
  });

  test('an unknown flag is a usage error (exit 2)', async () => {
    const result = await runCli(['pipelines/logo.yaml', '--inptu', 'x'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /E_USAGE/);
  });
});

describe('check --remote', () => {
  test('every shipped pipeline checks clean, with and without --remote', async () => {
    for (const file of ['pipelines/logo.yaml', 'pipelines/llama3-answer.yaml', 'pipelines/haiku-stop.yaml']) {
      const local = await runMain(['check', file], { env });
      assert.equal(local.code, 0, `${file}: ${local.stderr}`);
      const remote = await runMain(['check', '--remote', file], { env });
      assert.equal(remote.code, 0, `${file} --remote: ${remote.stderr}`);
    }
    assert.equal(server.creates().length, 0, 'checking never creates a prediction');
  });

  test('reports a kwarg outside the model\'s enum at its line, before anything is paid for', async () => {
    const file = await writePipeline(
      temp.path,
      'bad-kwargs.yaml',
      'steps:\n  - id: logo\n    model: stability-ai/stable-diffusion:db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf\n    template: "{{input}}"\n    model_kwargs:\n      image_dimensions: 640x640\n      num_inference_step: 20\n',
    );
    const result = await runMain(['check', '--remote', '--format', 'json', file], { env: { ...env, RUN_PIPELINE_CACHE_DIR: `${temp.path}/cache-bad` } });
    assert.equal(result.code, 2, result.stderr);
    const diagnostics = JSON.parse(result.stdout) as { code: string; location?: { line: number } }[];
    assert.deepEqual(diagnostics.map((diagnostic) => `${diagnostic.code}@${diagnostic.location?.line}`).sort(), ['E_MODEL_INPUT@6', 'E_MODEL_INPUT@7']);
    const run = await runMain([file, '--input', 'x'], { env });
    assert.equal(run.code, 2, 'the run refuses the same mistakes');
    assert.equal(server.creates().length, 0);
  });

  test('an unknown model is reported at its model: line', async () => {
    const file = await writePipeline(temp.path, 'unknown-model.yaml', 'steps:\n  - id: a\n    model: nobody/nothing\n    template: "{{input}}"\n');
    const result = await runMain(['check', '--remote', '--format', 'json', file], { env });
    assert.equal(result.code, 2);
    const diagnostics = JSON.parse(result.stdout) as { code: string; location?: { line: number } }[];
    assert.equal(diagnostics[0]?.location?.line, 3);
  });

  test('a community model run by name is refused before any prediction, with the version to pin', async () => {
    const file = await writePipeline(temp.path, 'unpinned.yaml', 'steps:\n  - id: first\n    model: meta/meta-llama-3-8b-instruct\n    template: "{{input}}"\n  - id: name\n    model: replicate/dolly-v2-12b\n    template: "{{first}}"\n');
    const check = await runMain(['check', '--remote', '--format', 'json', file], { env });
    assert.equal(check.code, 2, check.stderr);
    const diagnostics = JSON.parse(check.stdout) as { code: string; hint?: string; location?: { line: number } }[];
    assert.deepEqual(diagnostics.map((diagnostic) => `${diagnostic.code}@${diagnostic.location?.line}`), ['E_MODEL_REF@6']);
    assert.match(diagnostics[0]?.hint ?? '', /replicate\/dolly-v2-12b:ef0e1aefc61f8e096ebe4db6b2bacc297daf2ef6899f0f7e001ec445893500e5/);
    const run = await runMain([file, '--input', 'x'], { env });
    assert.equal(run.code, 2, 'the run stops too');
    assert.equal(server.creates().length, 0, 'not even the official first step was paid for');
  });

  test('schemas are cached on disk: a second check asks the server nothing', async () => {
    const cacheEnv = { ...env, RUN_PIPELINE_CACHE_DIR: `${temp.path}/cache-once` };
    assert.equal((await runMain(['check', '--remote', 'pipelines/logo.yaml'], { env: cacheEnv })).code, 0);
    const first = server.requests.length;
    assert.ok(first > 0);
    assert.equal((await runMain(['check', '--remote', 'pipelines/logo.yaml'], { env: cacheEnv })).code, 0);
    assert.equal(server.requests.length, first);
  });
});
