/**
 * Streaming and stopping early against the local Replicate server: tokens in order as they come,
 * stop sequences (also split across tokens, also without a stream, also server-side), a dropped
 * stream, and that every stopped prediction was canceled and billed less than a full one.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadPipeline } from '../../src/pipeline/index.js';
import { createReplicateProvider } from '../../src/providers/replicate/provider.js';
import { runPipeline, type RunResult } from '../../src/run/executor.js';
import { runMain, startCliEnvironment, writePipeline } from '../support/cli.js';
import { dollyModel, llama3Model, renamedModel } from '../support/models.js';
import type { ReplicateServer } from '../support/replicate-server.js';

let server: ReplicateServer;
let temp: { path: string; cleanup: () => Promise<void> };
let env: NodeJS.ProcessEnv;
let close: () => Promise<void>;

/** Registers a text model under its own name and version; returns the reference a pipeline uses. */
function addTextModel(name: string, options: { tokens: string[]; tokenIntervalMs?: number; stream?: boolean }): string {
  const { model, reference } = renamedModel(dollyModel({ tokens: options.tokens, tokenIntervalMs: options.tokenIntervalMs ?? 5, ...(options.stream === undefined ? {} : { stream: options.stream }) }), name);
  server.addModel(model);
  return reference;
}

function numbered(count: number): string[] {
  return Array.from({ length: count }, (_, index) => ` w${index}`);
}

/** Runs a pipeline file through the library, collecting the text shown live per step. */
async function runLibrary(file: string, input: string, options: { onChunk?: (chunk: string, count: number) => void; signal?: AbortSignal; stream?: boolean } = {}): Promise<RunResult & { shown: Record<string, string> }> {
  const { pipeline } = await loadPipeline(file);
  const provider = createReplicateProvider({ token: server.token, baseUrl: server.baseUrl, retry: { minDelayMs: 10, maxDelayMs: 50 } });
  const shown: Record<string, string> = {};
  let count = 0;
  const result = await runPipeline(pipeline, {
    provider,
    inputs: { input },
    outDir: `${temp.path}/out-${Date.now()}`,
    writeRecord: false,
    pollIntervalMs: 20,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.stream === undefined ? {} : { stream: options.stream }),
    onEvent: (event) => {
      if (event.type !== 'step-output') return;
      shown[event.step] = (shown[event.step] ?? '') + event.chunk;
      count += 1;
      options.onChunk?.(event.chunk, count);
    },
  });
  return { ...result, shown };
}

function cancels(): string[] {
  return server.cancels().map((request) => request.path.split('/')[3] ?? '');
}

function streamReads() {
  return server.requests.filter((request) => request.method === 'GET' && request.path.startsWith('/v1/stream/'));
}

before(async () => {
  ({ server, temp, env, close } = await startCliEnvironment({ models: [dollyModel(), llama3Model()], maxSyncWaitMs: 200 }));
});
after(() => close());
beforeEach(() => server.reset());

describe('streaming', () => {
  test('shows every token in order, as the stream delivers them, and the output is their concatenation', async () => {
    const tokens = ['Sock', ' It', ' To', '\nMe', ' —', ' ünïcode', ' done'];
    const model = addTextModel('streamer', { tokens });
    const file = await writePipeline(temp.path, 'stream.yaml', `steps:\n  - id: name\n    model: ${model}\n    template: "{{input}}"\n`);
    const chunks: string[] = [];
    const { record, error, shown } = await runLibrary(file, 'socks', { onChunk: (chunk) => chunks.push(chunk) });
    assert.equal(error, undefined);
    assert.deepEqual(chunks, tokens, 'one display chunk per token, in order');
    assert.equal(shown.name, tokens.join(''));
    assert.equal(record.steps[0]?.output, tokens.join(''));
    assert.equal(streamReads().length, 1, 'the stream was read');
    assert.equal(streamReads()[0]?.headers.authorization, undefined, 'no token is sent to the stream host');
    assert.equal(server.creates()[0]?.headers.prefer, undefined, 'a streaming step is not created under Prefer: wait');
    assert.deepEqual(server.running(), []);
  });

  test('--stream prints the tokens on stderr and stdout keeps only the result', async () => {
    const model = addTextModel('streamer-cli', { tokens: ['alpha', ' beta', ' gamma'] });
    const file = await writePipeline(temp.path, 'stream-cli.yaml', `steps:\n  - id: name\n    model: ${model}\n    template: "{{input}}"\n`);
    const result = await runMain([file, '--input', 'x', '--stream', '--log-format', 'json', '--out-dir', `${temp.path}/out-stream-cli`], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'alpha beta gamma\n');
    assert.ok(result.stderr.includes('alpha beta gamma\n'), 'the tokens appear on stderr');
    const quiet = await runMain([file, '--input', 'x', '--log-format', 'json', '--out-dir', `${temp.path}/out-stream-quiet`], { env });
    assert.ok(!quiet.stderr.includes('alpha beta gamma\n'), 'no token noise without a terminal');
  });

  test('a stream that breaks off falls back to polling and loses no output', async () => {
    const tokens = numbered(30);
    const model = addTextModel('dropper', { tokens, tokenIntervalMs: 10 });
    const file = await writePipeline(temp.path, 'drop.yaml', `steps:\n  - id: name\n    model: ${model}\n    template: "{{input}}"\n`);
    const { record, error, shown } = await runLibrary(file, 'x', { onChunk: (_chunk, count) => count === 5 && server.dropStreams() });
    assert.equal(error, undefined);
    assert.equal(record.steps[0]?.output, tokens.join(''));
    assert.equal(shown.name, tokens.join(''), 'the display went on from where the stream stopped');
    const id = record.steps[0]?.prediction_id ?? '';
    assert.ok(server.requests.some((request) => request.method === 'GET' && request.path === `/v1/predictions/${id}`), 'it polled the prediction');
    assert.deepEqual(server.running(), []);
  });

  test('a stream that cannot be opened at all falls back to polling', async () => {
    const tokens = numbered(8);
    const model = addTextModel('unreachable-stream', { tokens });
    server.inject({ method: 'GET', path: /^\/v1\/stream\//, status: 0, dropConnection: true });
    const file = await writePipeline(temp.path, 'drop-early.yaml', `steps:\n  - id: name\n    model: ${model}\n    template: "{{input}}"\n`);
    const { record, error } = await runLibrary(file, 'x');
    assert.equal(error, undefined);
    assert.equal(record.steps[0]?.output, tokens.join(''));
  });
});

describe('stop sequences', () => {
  test('a stop split across tokens cancels the prediction there, cuts the output before it, and never shows it', async () => {
    const tokens = ['Brand', ' name', ' #', '#', '#', ...numbered(200)];
    const model = addTextModel('chatty', { tokens, tokenIntervalMs: 5 });
    const file = await writePipeline(
      temp.path,
      'stop.yaml',
      `steps:\n  - id: name\n    model: ${model}\n    template: "{{input}}"\n    stop: "###"\n  - id: next\n    model: ${model}\n    template: "after {{name}}"\n    stop: "###"\n`,
    );
    const { record, error, shown } = await runLibrary(file, 'x');
    assert.equal(error, undefined);
    const [first, second] = record.steps;
    assert.equal(first?.output, 'Brand name ');
    assert.equal(first?.status, 'succeeded');
    assert.equal(first?.stopped, true);
    assert.equal(shown.name, 'Brand name ', 'the display showed exactly the output, none of the stop');
    assert.equal(second?.status, 'succeeded', 'the run went on to the next step');
    assert.equal((server.creates()[1]?.body as { input: { prompt: string } }).input.prompt, 'after Brand name ');
    const predictionId = first?.prediction_id ?? '';
    assert.ok(cancels().includes(predictionId), 'the stopped prediction was canceled');
    assert.equal(server.predictions.get(predictionId)?.status, 'canceled');
    assert.ok((server.predictions.get(predictionId)?.chunks.length ?? 0) < tokens.length, 'generation ended early');
    assert.deepEqual(server.running(), []);
  });

  test('a stopped generation is billed less than the full one', async () => {
    const tokens = [...numbered(20), ' STOP', ...numbered(180)];
    const model = addTextModel('billed', { tokens, tokenIntervalMs: 2 });
    const stopped = await writePipeline(temp.path, 'billed-stop.yaml', `steps:\n  - id: name\n    model: ${model}\n    template: "{{input}}"\n    stop: STOP\n`);
    const full = await writePipeline(temp.path, 'billed-full.yaml', `steps:\n  - id: name\n    model: ${model}\n    template: "{{input}}"\n`);
    const short = await runLibrary(stopped, 'x');
    const long = await runLibrary(full, 'x');
    const shortTime = short.record.steps[0]?.metrics.predict_time ?? Infinity;
    const longTime = long.record.steps[0]?.metrics.predict_time ?? 0;
    assert.ok(shortTime < longTime, `stopped ${shortTime} s < full ${longTime} s`);
    assert.equal(short.record.summary.compute_seconds, shortTime);
    assert.equal(short.record.steps[0]?.output, `${numbered(20).join('')} `);
  });

  test('without a stream, the polled output is watched and the prediction canceled at the stop', async () => {
    const tokens = ['one', ' two', ' END', ...numbered(100)];
    const model = addTextModel('no-stream', { tokens, tokenIntervalMs: 10, stream: false });
    const file = await writePipeline(temp.path, 'poll-stop.yaml', `steps:\n  - id: name\n    model: ${model}\n    template: "{{input}}"\n    stop: [END, NEVER]\n`);
    const { record, error } = await runLibrary(file, 'x');
    assert.equal(error, undefined);
    assert.equal(record.steps[0]?.output, 'one two ');
    assert.equal(record.steps[0]?.stopped, true);
    assert.equal(streamReads().length, 0);
    assert.ok(cancels().includes(record.steps[0]?.prediction_id ?? ''));
    assert.deepEqual(server.running(), []);
  });

  test('Llama 3 also gets the stops as its stop_sequences input, with its default stops kept', async () => {
    const file = await writePipeline(temp.path, 'llama-stop.yaml', `steps:\n  - id: answer\n    model: meta/meta-llama-3-8b-instruct\n    template: "{{input}}"\n    stop: [" blue", " red"]\n`);
    const { record, error } = await runLibrary(file, 'the sky is blue today');
    assert.equal(error, undefined);
    const sent = (server.creates()[0]?.body as { input: Record<string, unknown> }).input;
    assert.equal(sent.stop_sequences, '<|end_of_text|>,<|eot_id|>, blue, red');
    assert.deepEqual(record.steps[0]?.input, sent, 'the record keeps exactly what was sent');
    assert.equal(record.steps[0]?.output, 'You said: the sky is');
  });

  test('a stop_sequences the user set, or a stop with a comma, is not touched', async () => {
    const file = await writePipeline(
      temp.path,
      'llama-own.yaml',
      `steps:\n  - id: own\n    model: meta/meta-llama-3-8b-instruct\n    template: "{{input}}"\n    stop: " blue"\n    model_kwargs:\n      stop_sequences: "<|eot_id|>"\n  - id: comma\n    model: meta/meta-llama-3-8b-instruct\n    template: "{{input}}"\n    stop: "a, b"\n`,
    );
    const { error } = await runLibrary(file, 'sky blue');
    assert.equal(error, undefined);
    const [own, comma] = server.creates().map((request) => (request.body as { input: Record<string, unknown> }).input);
    assert.equal(own?.stop_sequences, '<|eot_id|>');
    assert.equal(comma && 'stop_sequences' in comma, false);
  });
});
